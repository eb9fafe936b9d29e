using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>Prints what an export from stored weights wrote, next to the accuracy the search reported for that Pareto member.</summary>
internal static class StoredExportOutput
{
    public static void Write(TextWriter output, StoredExport export, IReadOnlyDictionary<string, double> reported)
    {
        var card = export.Card;
        output.WriteLine($"exported from stored fine-tuned weights {export.WeightsSha256[..12]} (no retraining) as {card.Format} to {Path.GetFullPath(export.Directory)}");
        if (export.BaselineOrigin is { } origin)
        {
            output.WriteLine($"baseline checkpoint {card.SourceCheckpointHash[..Math.Min(12, card.SourceCheckpointHash.Length)]}: {Describe(origin)}");
        }

        var accuracy = card.Metrics[MetricNames.Accuracy];
        var line = reported.TryGetValue(MetricNames.Accuracy, out var searched)
            ? string.Create(CultureInfo.InvariantCulture, $"  accuracy             {accuracy:G6} (reported by the search: {searched:G6})")
            : string.Create(CultureInfo.InvariantCulture, $"  accuracy             {accuracy:G6}");
        output.WriteLine(line);
        foreach (var (name, value) in card.Metrics.Where(m => m.Key != MetricNames.Accuracy).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-20} {value:G6}"));
        }

        if (card.OnnxRuntime is { } ort)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ONNX Runtime: {ort.Samples} samples, accuracy {ort.OnnxAccuracy:G6} (TorchSharp {ort.TorchAccuracy:G6}), max |output difference| {ort.MaxAbsDifference:G3}, {ort.PredictionMismatches} differing predictions"));
        }
    }

    private static string Describe(string origin) => origin switch
    {
        TorchSharpEvaluationBackend.OriginFetched => "fetched from the artifact store (no training)",
        TorchSharpEvaluationBackend.OriginCached => "from the local checkpoint cache (no training)",
        TorchSharpEvaluationBackend.OriginTrained => "trained here (nothing in the cache or the artifact store)",
        _ => "given by the spec",
    };
}
