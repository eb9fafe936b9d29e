using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Selection;
using PrunerCluster.Client.Specs;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Silo.Backends;
using PrunerCluster.Silo.Storage;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster export &lt;run-dir|id&gt; --pick RULE [--format torchsharp|onnx]</c>: chooses one Pareto member (rank, hash
/// or rule) and writes the fine-tuned weights the search scored (from the artifact store, no retraining) with a JSON model card;
/// an ONNX export is checked in ONNX Runtime. Without stored weights a TorchSharp export rebuilds the member from the run's
/// spec and mask (same checkpoint, settings and seed).
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
        var command = new Command("export", "Write one Pareto member's pruned model (the weights the search scored, no retraining) and its model card, with accuracy on the held-out test set") { target, pick, output, format };
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
            var postgres = results.Directory is null ? ClusterConnection.PostgresConnectionString(parse.GetValue(connection.Gateway)!) : null;
            return await ExportAsync(results.ExperimentId, spec, entry, rank, rule, parse.GetValue(format)!, outDir, postgres, console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExportAsync(string experimentId, Contracts.ExperimentSpec spec, Contracts.ParetoEntry entry, int rank, PickRule rule, string format, string outDir, string? postgres, TextWriter output, CancellationToken cancellationToken)
    {
        var maskHash = entry.MaskHash;
        var shortHash = maskHash[..Math.Min(12, maskHash.Length)];
        var options = new TorchSharpBackendOptions();
        IArtifactStore? store = postgres is null
            ? null
            : new CachedArtifactStore(new LocalArtifactStore(options.ResolvedArtifactDirectory), new PostgresArtifactStore(postgres), NullLogger<CachedArtifactStore>.Instance);
        var backend = new TorchSharpEvaluationBackend(Options.Create(options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance, store);
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
