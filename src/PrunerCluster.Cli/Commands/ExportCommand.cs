using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Selection;
using PrunerCluster.Client.Specs;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster export &lt;run-dir|id&gt; --pick RULE [--format torchsharp|onnx] [--search-weights]</c>: chooses one Pareto
/// member (rank, hash or rule) and writes its model with a JSON model card; an ONNX export is checked in ONNX Runtime. When the
/// run's final recovery retrained that member, the recovered model is exported (no retraining here); otherwise, or with
/// <c>--search-weights</c>, the fine-tuned weights the search scored (from the artifact store). Without either a TorchSharp
/// export rebuilds the member from the run's spec and mask (same checkpoint, settings and seed).
/// </summary>
public static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("experiment") { Description = "A run directory written by 'search' (or its pareto.json), or an experiment id on the cluster" };
        var pick = new Option<string>("--pick", "-p", "--rank") { Description = "Which member: " + PickRule.Help, DefaultValueFactory = _ => "1", HelpName = "RULE|RANK" };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for the model and model-card.json (default: <run-dir>/exports/<rank>-<hash>)", HelpName = "DIR" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "torchsharp (model.bin, reloads with 'verify') or onnx (model.onnx, checked in ONNX Runtime)",
            DefaultValueFactory = _ => TorchSharpEvaluationBackend.FormatTorchSharp,
        };
        format.AcceptOnlyFromAmong(TorchSharpEvaluationBackend.FormatTorchSharp, TorchSharpEvaluationBackend.FormatOnnx);
        var searchWeights = new Option<bool>("--search-weights") { Description = "Export the weights the search scored even when the run's final recovery retrained this member" };
        var command = new Command("export", "Write one Pareto member's pruned model (its final-recovered model when the run has one, else the weights the search scored; no retraining) and its model card, with accuracy on the held-out test set") { target, pick, output, format, searchWeights };
        var connection = ConnectionOptions.AddTo(command);
        command.Validators.Add(r =>
        {
            try
            {
                PickRule.Parse(r.GetValue(pick) ?? "1");
            }
            catch (PickRuleException ex)
            {
                r.AddError(ex.Message);
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var rule = PickRule.Parse(parse.GetValue(pick)!);
            var results = await ResultsSource.LoadAsync(parse.GetValue(target)!, connection, parse, ct).ConfigureAwait(false);
            var spec = results.Spec ?? throw new CliException($"experiment '{results.ExperimentId}' has no spec to rebuild its models from");
            var (entry, rank) = rule.Select(ParetoReport.Ordered(results.Pareto));
            var name = string.Create(CultureInfo.InvariantCulture, $"{rank}-{entry.MaskHash[..Math.Min(12, entry.MaskHash.Length)]}");
            var outDir = Path.GetFullPath(parse.GetValue(output) ?? (results.Directory is { } d ? Path.Combine(d, RunDirectory.ExportsFolder, name) : $"export-{results.ExperimentId}-{name}"));
            // An experiment on a postgres-mode cluster: its weights and baseline are in PostgreSQL, cached on this machine.
            var postgres = results.Directory is null ? ClusterConnection.PostgresConnectionString(connection.ResolveGateway(parse)) : null;
            if (results.Directory is { } runDirectory && !parse.GetValue(searchWeights))
            {
                if (RecoveredModels.Find(runDirectory, entry.MaskHash) is { } recovered)
                {
                    return await ExportRecoveredAsync(results.ExperimentId, spec, entry, rank, rule, recovered, parse.GetValue(format)!, outDir, console.Out, ct).ConfigureAwait(false);
                }

                if (RecoveredModels.Hashes(runDirectory) is { Count: > 0 } hashes)
                {
                    var ranks = ParetoReport.Ordered(results.Pareto).Select((e, i) => (e, i)).Where(p => hashes.Contains(p.e.MaskHash, StringComparer.OrdinalIgnoreCase)).Select(p => "#" + (p.i + 1).ToString(CultureInfo.InvariantCulture));
                    console.Out.WriteLine($"note: final recovery did not retrain member #{rank}; exporting its search-time weights (final-recovered members: {string.Join(", ", ranks)})");
                }
            }

            return await ExportAsync(results.ExperimentId, spec, entry, rank, rule, parse.GetValue(format)!, outDir, postgres, console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExportRecoveredAsync(string experimentId, Contracts.ExperimentSpec spec, Contracts.ParetoEntry entry, int rank, PickRule rule, (RecoveredMember Member, string Directory) recovered, string format, string outDir, TextWriter output, CancellationToken cancellationToken)
    {
        var backend = LocalBackend.Create(postgres: null);
        StoredExport export;
        try
        {
            export = await Task.Factory.StartNew(
                () => backend.ExportRecovered(spec, recovered.Directory, outDir, format, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException)
        {
            throw new CliException($"the final-recovered model of member #{rank} in '{recovered.Directory}' is unusable: {ex.Message} (use --search-weights to export the search's weights instead)", ExitCodes.Failed);
        }
        var card = export.Card;
        output.WriteLine($"member #{rank} ({rule}), mask {entry.MaskHash[..Math.Min(12, entry.MaskHash.Length)]} of '{spec.Name}': the model final recovery retrained ({Path.GetFullPath(recovered.Directory)}), exported as {card.Format} to {Path.GetFullPath(export.Directory)}");
        var searched = entry.Metrics.TryGetValue(MetricNames.Accuracy, out var v) ? string.Create(CultureInfo.InvariantCulture, $" (the search scored {v:G6} on validation before recovery)") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  test_accuracy        {card.Metrics["test_accuracy"]:G6}{searched}"));
        foreach (var (name, value) in card.Metrics.Where(m => m.Key is not ("test_accuracy" or MetricNames.Accuracy)).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-20} {value:G6}"));
        }

        if (card.OnnxRuntime is { } ort)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ONNX Runtime: {ort.Samples} samples, accuracy {ort.OnnxAccuracy:G6} (TorchSharp {ort.TorchAccuracy:G6}), max |output difference| {ort.MaxAbsDifference:G3}, {ort.PredictionMismatches} differing predictions"));
        }

        await File.WriteAllTextAsync(
            Path.Combine(export.Directory, HtmlReport.MemberFileName),
            SpecFile.Serialize(new { experimentId, maskHash = entry.MaskHash, rank, rule = rule.ToString(), finalRecovery = true }),
            cancellationToken).ConfigureAwait(false);
        output.WriteLine($"exported: {export.Directory}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ExportAsync(string experimentId, Contracts.ExperimentSpec spec, Contracts.ParetoEntry entry, int rank, PickRule rule, string format, string outDir, string? postgres, TextWriter output, CancellationToken cancellationToken)
    {
        var maskHash = entry.MaskHash;
        var shortHash = maskHash[..Math.Min(12, maskHash.Length)];
        var backend = LocalBackend.Create(postgres);
        var stored = await Task.Factory.StartNew(
            () => backend.ExportStored(spec, entry.MaskText, entry.IndividualKey, outDir, format, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        string written;
        if (stored is not null)
        {
            output.WriteLine($"member #{rank} ({rule}), mask {shortHash} of '{spec.Name}'");
            StoredExportOutput.Write(output, stored, entry.Metrics);
            written = stored.Directory;
        }
        else
        {
            if (format == TorchSharpEvaluationBackend.FormatOnnx)
            {
                throw new CliException($"the artifact store holds no fine-tuned weights for mask {shortHash} (searched before weights were stored, or with another cache directory); ONNX export needs them", ExitCodes.Failed);
            }

            output.WriteLine($"exporting member #{rank} ({rule}), mask {shortHash} of '{spec.Name}' to {outDir} (no stored weights: re-runs its fine-tuning)");
            var result = await Task.Factory.StartNew(
                () => backend.ExportModel(spec, entry.MaskText, outDir, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new CliException($"export failed: {result.FailureReason}", ExitCodes.Failed);
            }

            output.WriteLine("metrics of the exported model (accuracy on the held-out test set, which the search never saw):");
            foreach (var (name, value) in result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-20} {value:G6}"));
            }

            written = result.ExportDirectory ?? outDir;
        }

        // Which Pareto member this is, so 'report' can link the export from the member's row.
        await File.WriteAllTextAsync(
            Path.Combine(written, HtmlReport.MemberFileName),
            SpecFile.Serialize(new { experimentId, maskHash, rank, rule = rule.ToString() }),
            cancellationToken).ConfigureAwait(false);
        output.WriteLine($"exported: {written}");
        return ExitCodes.Ok;
    }
}
