using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Cli.Output;
using PrunerCluster.Cli.Specs;
using PrunerCluster.Silo.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster export &lt;run&gt;/pareto.json --rank N --out DIR</c>: rebuilds one Pareto model from the run's spec and
/// mask (same checkpoint, settings and seed), fine-tunes it, and saves the shrunk weights with a JSON model card.
/// </summary>
public static class ExportCommand
{
    public const string Usage = "export <run-dir>/pareto.json [--rank N | --mask-hash PREFIX] [--format torchsharp|onnx] --out DIR";

    public static async Task<int> RunAsync(CommandArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var paretoPath = args.Required(0, "pareto.json of a finished search");
        var rank = args.Number("rank", 1, 1);
        var hashPrefix = args.Value("mask-hash");
        var outDir = args.Value("out") ?? throw new CommandLineException("option --out DIR is required");
        var format = args.Value("format") ?? TorchSharpEvaluationBackend.FormatTorchSharp;
        if (format is not (TorchSharpEvaluationBackend.FormatTorchSharp or TorchSharpEvaluationBackend.FormatOnnx))
        {
            throw new CommandLineException($"--format {format} is not supported; expected torchsharp or onnx");
        }

        args.EnsureAllUsed();

        var pareto = RunDirectory.ReadPareto(paretoPath);
        var spec = SpecFile.Load(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(paretoPath))!, RunDirectory.SpecFileName));
        var ordered = ParetoReport.Ordered(pareto);
        var entry = hashPrefix is not null
            ? ordered.FirstOrDefault(e => e.MaskHash.StartsWith(hashPrefix, StringComparison.OrdinalIgnoreCase))
                ?? throw new CommandLineException($"no Pareto entry has a mask hash starting with '{hashPrefix}'")
            : rank <= ordered.Count ? ordered[rank - 1] : throw new CommandLineException(string.Create(CultureInfo.InvariantCulture, $"--rank {rank} is out of range: the Pareto set has {ordered.Count} entries"));

        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions()), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        var stored = await Task.Factory.StartNew(
            () => backend.ExportStored(spec, entry.MaskText, entry.IndividualKey, outDir, format, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        if (stored is not null)
        {
            StoredExportOutput.Write(output, stored, entry.Metrics);
            return 0;
        }

        if (format == TorchSharpEvaluationBackend.FormatOnnx)
        {
            output.WriteLine($"error: the artifact store holds no fine-tuned weights for mask {entry.MaskHash[..12]} (searched before weights were stored, or another cache directory); ONNX export needs them");
            return 1;
        }

        output.WriteLine($"exporting mask {entry.MaskHash[..12]} of '{spec.Name}' to {Path.GetFullPath(outDir)} (no stored weights: re-runs its fine-tuning)");
        var result = await Task.Factory.StartNew(
            () => backend.ExportModel(spec, entry.MaskText, outDir, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            output.WriteLine($"error: export failed: {result.FailureReason}");
            return 1;
        }

        output.WriteLine("metrics of the exported model (accuracy on the held-out test set, which the search never saw):");
        foreach (var (name, value) in result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-20} {value:G6}"));
        }

        output.WriteLine($"exported: {result.ExportDirectory ?? outDir}");
        return 0;
    }
}
