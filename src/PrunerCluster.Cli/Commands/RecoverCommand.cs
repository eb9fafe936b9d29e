using System.CommandLine;
using System.Globalization;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster recover &lt;run-dir|id&gt;</c>: the stages that follow an embedded search, for any finished experiment,
/// including one a cluster ran (<c>submit</c>): re-times the Pareto members in one quiet stretch on this machine (members
/// then dominated leave), then fine-tunes the chosen members and the unpruned model with the spec's final-recovery budget,
/// scores them on the test set and saves them under <c>&lt;run-dir&gt;/models</c>, where <c>export</c> finds them. A
/// cluster experiment is first written to a local run directory.
/// </summary>
public static class RecoverCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("experiment") { Description = "A run directory written by 'search' or 'recover', or an experiment id on the cluster" };
        var output = new Option<string?>("--out", "-o") { Description = "Run directory for a cluster experiment (default .prunercluster/runs/<id>); a run directory target is updated in place", HelpName = "DIR" };
        var steps = new Option<string?>("--final-recovery") { Description = "Fine-tune steps per member (overrides the spec's finalRecovery; default 600)", HelpName = "STEPS" };
        var members = new Option<string?>("--final-members") { Description = "Pareto members to recover, spread over log MACs from the costliest to the cheapest (0 = all; overrides the spec)", HelpName = "N" };
        var noRemeasure = new Option<bool>("--no-remeasure") { Description = "Do not re-time the Pareto members first (a run directory that 'search' already re-timed is never re-timed again)" };
        var command = new Command("recover", "Final recovery of a finished experiment (embedded run or cluster id): re-time the Pareto set, fine-tune the chosen members and the unpruned model longer, score them on the test set and save them for 'export'")
        {
            target, output, steps, members, noRemeasure,
        };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var results = await ResultsSource.LoadAsync(parse.GetValue(target)!, connection, parse, ct).ConfigureAwait(false);
            var postgres = results.Directory is null ? ClusterConnection.PostgresConnectionString(connection.ResolveGateway(parse)) : null;
            return await RunAsync(results, parse.GetValue(output), parse.GetValue(steps), parse.GetValue(members), !parse.GetValue(noRemeasure), postgres, console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(ExperimentResults results, string? outDirectory, string? steps, string? members, bool remeasure, string? postgres, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(output);
        var original = results.Spec ?? throw new CliException($"experiment '{results.ExperimentId}' has no spec to rebuild its models from");
        if (!string.Equals(original.Backend, TorchSharpEvaluationBackend.BackendName, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"experiment '{results.ExperimentId}' ran on backend '{original.Backend}'; final recovery retrains real models and needs '{TorchSharpEvaluationBackend.BackendName}'");
        }

        if (results.Status is { State: ExperimentState.Pending or ExperimentState.Preparing or ExperimentState.Running or ExperimentState.Paused or ExperimentState.Recovering } running)
        {
            throw new CliException($"experiment '{results.ExperimentId}' is {running.State.ToString().ToLowerInvariant()}; recover it once it has finished ('prunercluster watch {results.ExperimentId}')");
        }

        if (results.Pareto.Entries.Count == 0)
        {
            throw new CliException($"experiment '{results.ExperimentId}' has an empty Pareto set: nothing to recover");
        }

        var spec = FinalRecoveryOptions.Apply(original, steps, members);
        if (spec.FinalRecovery is { Enabled: false, FineTuneSteps: 0 } && steps is not null)
        {
            throw new CliException("--final-recovery 0 leaves nothing to do; give the fine-tune steps per member (e.g. 600)");
        }

        spec = spec with { FinalRecovery = (spec.FinalRecovery ?? new FinalRecoverySettings()) with { Enabled = true } };
        var status = results.Status ?? new ExperimentStatus { ExperimentId = results.ExperimentId, State = ExperimentState.Completed };
        var directory = results.Directory ?? Path.GetFullPath(outDirectory ?? Path.Combine(".prunercluster", "runs", SearchCommand.Sanitize(results.ExperimentId)));
        if (results.Directory is null)
        {
            RunDirectory.Write(directory, original, status, results.Pareto, results.Evaluations);
            output.WriteLine($"experiment '{results.ExperimentId}' written to {directory}");
        }

        var backend = LocalBackend.Create(postgres);
        using var stage = FinalStage.ForFinishedRun(spec, backend);
        var pareto = results.Pareto;
        if (remeasure && !File.Exists(Path.Combine(directory, RemeasurementReport.JsonFileName))
            && await stage.RemeasureAsync(pareto, output, cancellationToken).ConfigureAwait(false) is { } remeasured)
        {
            RemeasurementReport.Write(directory, remeasured);
            pareto = remeasured.Pareto;
            RunDirectory.Write(directory, original, status, pareto, results.Evaluations);
        }

        var recovered = await stage.RecoverAsync(pareto, [], Path.Combine(directory, RecoveredModels.Folder), output, cancellationToken).ConfigureAwait(false)
            ?? throw new CliException($"final recovery of '{results.ExperimentId}' did not run", ExitCodes.Failed);
        FinalRecoveryReport.WriteAndPrint(directory, recovered, output);
        var pick = recovered.Suggested()?.Label.TrimStart('#') ?? "<rank>";
        output.WriteLine($"export a recovered model: prunercluster export {directory} --pick {pick} (the number in the table above)");
        return recovered.Members.All(m => m.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
