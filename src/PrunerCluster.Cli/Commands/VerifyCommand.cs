using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster verify &lt;export-dir&gt;</c>: reloads an exported model (weights checked against the card's SHA-256),
/// measures its accuracy on the held-out test set and compares it with the accuracy its model card reports.
/// </summary>
public static class VerifyCommand
{
    private const string TestAccuracy = "test_accuracy";
    private const string TestSamples = "test_samples";

    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("export-dir") { Description = "Folder written by 'export' (model.bin + model-card.json)" };
        var dataRoot = new Option<string?>("--data-root") { Description = "Where the data set lives now (default: the folder its model card records, else the installed Debian data set)", HelpName = "DIR" };
        var command = new Command("verify", "Reload an exported model, measure its test-set accuracy and compare it with its model card; exit 1 when they differ") { directory, dataRoot };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(directory)!;
            if (!File.Exists(Path.Combine(path, ModelExporter.CardFileName)))
            {
                throw new CliException($"'{path}' holds no {ModelExporter.CardFileName}: give the folder 'prunercluster export' wrote");
            }

            var (card, measured, samples) = await Task.Factory.StartNew(
                () =>
                {
                    TorchRuntime.Initialize(Math.Max(1, Environment.ProcessorCount));
                    using var exported = ModelExporter.Load(path);
                    DataSplit data;
                    try
                    {
                        // The data set as the search read it (by name, or by format and folder); only its test set is scored here.
                        var descriptor = ExportedDataset.Resolve(exported.Card, parse.GetValue(dataRoot));
                        data = DatasetCatalog.Load(descriptor with { ValidationCount = 1, ValidationFraction = null }, splitSeed: 1);
                    }
                    catch (DatasetException ex)
                    {
                        throw new CliException($"'{path}': {ex.Message}");
                    }

                    // The card's test accuracy covers the first test_samples images of the test set (the baseline may cap it).
                    int? count = exported.Card.Metrics.TryGetValue(TestSamples, out var n) ? (int)n : null;
                    var report = ClassificationMetrics.Evaluate(exported.Model, data.Test, count, ct: ct);
                    return (exported.Card, report.Accuracy, report.Samples);
                },
                ct,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
            // Cards from before test_accuracy carried the test accuracy as accuracy; newer ones carry the search's validation score there.
            var reported = card.Metrics.TryGetValue(TestAccuracy, out var t) ? t
                : card.Metrics.TryGetValue(MetricNames.Accuracy, out var a) ? a : double.NaN;
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{card.Model} on {card.Dataset}, {MaskLabel(path, card.MaskHash)}: test accuracy {measured:P2} on {samples} samples; model card reports {reported:P2}"));
            if (Math.Abs(measured - reported) > 1e-9)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"the reloaded model's test accuracy {measured:R} differs from its card's {reported:R}"), ExitCodes.Failed);
            }

            console.Out.WriteLine("verified: the reloaded model reproduces its reported accuracy");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The mask as the run's tables name it: an export of a run member carries the member's (genome) hash in its
    /// <c>pareto-member.json</c>, which differs from the card's hash of the decoded channel mask; both are shown then.
    /// </summary>
    internal static string MaskLabel(string exportDirectory, string cardMaskHash)
    {
        static string Short(string hash) => hash[..Math.Min(12, hash.Length)];
        var member = Path.Combine(exportDirectory, HtmlReport.MemberFileName);
        try
        {
            if (File.Exists(member))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(member));
                if (doc.RootElement.TryGetProperty("maskHash", out var h) && h.GetString() is { Length: > 0 } memberHash && memberHash != cardMaskHash)
                {
                    return $"member mask {Short(memberHash)} (decoded channel mask {Short(cardMaskHash)})";
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return $"mask {Short(cardMaskHash)} ('{member}' is not valid JSON)";
        }

        return $"mask {Short(cardMaskHash)}";
    }
}
