using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Selection;
using PrunerCluster.Client.Specs;
using PrunerCluster.Silo.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster export &lt;run-dir|id&gt; --pick RULE</c>: chooses one Pareto member (rank, hash or rule), rebuilds it from
/// the run's spec and mask (same checkpoint, settings and seed), and saves the shrunk weights with a JSON model card.
/// </summary>
public static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("experiment") { Description = "A run directory written by 'search' (or its pareto.json), or an experiment id on the cluster" };
        var pick = new Option<string>("--pick", "-p", "--rank") { Description = "Which member: " + PickRule.Help, DefaultValueFactory = _ => "1", HelpName = "RULE|RANK" };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for model.bin and model-card.json (default: <run-dir>/exports/<rank>-<hash>)", HelpName = "DIR" };
        var command = new Command("export", "Write one Pareto member's pruned model (TorchSharp weights) and its model card, with accuracy on the held-out test set") { target, pick, output };
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
            return await ExportAsync(results.ExperimentId, spec, entry.MaskText, entry.MaskHash, rank, rule, outDir, console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExportAsync(string experimentId, Contracts.ExperimentSpec spec, string maskText, string maskHash, int rank, PickRule rule, string outDir, TextWriter output, CancellationToken cancellationToken)
    {
        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions()), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        output.WriteLine($"exporting member #{rank} ({rule}), mask {maskHash[..Math.Min(12, maskHash.Length)]} of '{spec.Name}' to {outDir} (re-runs its fine-tuning)");
        var result = await Task.Factory.StartNew(
            () => backend.ExportModel(spec, maskText, outDir, cancellationToken),
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

        // Which Pareto member this is, so 'report' can link the export from the member's row.
        var written = result.ExportDirectory ?? outDir;
        await File.WriteAllTextAsync(
            Path.Combine(written, HtmlReport.MemberFileName),
            SpecFile.Serialize(new { experimentId, maskHash, rank, rule = rule.ToString() }),
            cancellationToken).ConfigureAwait(false);
        output.WriteLine($"exported: {written}");
        return ExitCodes.Ok;
    }
}
