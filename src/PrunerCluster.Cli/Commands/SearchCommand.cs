using System.CommandLine;
using System.Globalization;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Commands;
using PrunerCluster.Client.Live;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary><c>prunercluster search &lt;spec&gt;</c>: an embedded single-process cluster runs the whole search.</summary>
public static class SearchCommand
{
    public const string CtrlCHelp = "Ctrl+C cancels the search (embedded mode): the results so far are written (SIGTERM and SIGHUP do the same; --grace lets evaluations in flight finish first); --resume continues a killed or interrupted run.";

    public static Command Create(CliConsole console)
    {
        var specArgument = new Argument<string?>("spec") { Description = "Experiment spec file (JSON or YAML; 'prunercluster schema' prints its JSON schema); optional with --resume", Arity = ArgumentArity.ZeroOrOne };
        var slots = new Option<int>("--slots") { Description = "Evaluations run at once in this process", DefaultValueFactory = _ => 1, HelpName = "N" };
        slots.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--slots must be at least 1");
            }
        });
        var output = new Option<string?>("--out", "-o") { Description = "Folder under which the run directory <out>/<id> is written (default .prunercluster/runs)", HelpName = "DIR" };
        var plain = WatchCommand.PlainOption();
        var finalRecovery = new Option<string?>("--final-recovery") { Description = "Fine-tune steps of the final recovery of the Pareto set, scored on the test set (0 = off; overrides the spec's finalRecovery)", HelpName = "STEPS" };
        var finalMembers = new Option<string?>("--final-members") { Description = "Pareto members recovered at the end, spread over log MACs from the costliest to the cheapest (0 = all)", HelpName = "N" };
        var noiseSamples = new Option<int>("--noise-samples") { Description = "Timings of the unpruned model during the search for the run's latency noise figure (0 = off)", DefaultValueFactory = _ => FinalStage.DefaultNoiseSamples, HelpName = "N" };
        var noRemeasure = new Option<bool>("--no-remeasure") { Description = "Skip re-timing the Pareto members alone on the device after the search (by default they are re-timed and members then dominated leave the front)" };
        var baselineEpochs = BaselineEpochsOption.Create();
        var resume = new Option<string?>("--resume") { Description = "Continue the interrupted embedded search of this run directory (its evolution state, finished evaluations and baseline are kept); the spec argument may be left out", HelpName = "RUN-DIR" };
        var grace = GraceOption.Create();
        var fresh = new Option<bool>("--fresh") { Description = "Recompute every evaluation: do not reuse the finished evaluations of an earlier run of the same spec under --out" };
        var command = new Command("search", "Run a whole search in this process (embedded mode: one silo, no database) with live progress, then write the run directory (Pareto set, plots, HTML report). " + CtrlCHelp)
        {
            specArgument, slots, output, plain, finalRecovery, finalMembers, noiseSamples, noRemeasure, baselineEpochs, resume, fresh, grace,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(specArgument), parse.GetValue(slots), parse.GetValue(output), parse.GetValue(plain), CliApp.IsVerbose(parse), console, ct,
            parse.GetValue(finalRecovery), parse.GetValue(finalMembers), parse.GetValue(noiseSamples), !parse.GetValue(noRemeasure), parse.GetValue(baselineEpochs),
            new RunReuse(parse.GetValue(resume), parse.GetValue(fresh)), parse.GetValue(grace)));
        return command;
    }

    public static async Task<int> RunAsync(
        string? specPath, int slots, string? outRoot, bool plain, bool verbose, CliConsole console, CancellationToken cancellationToken,
        string? finalRecovery = null, string? finalMembers = null, int noiseSamples = FinalStage.DefaultNoiseSamples, bool remeasure = true, string? baselineEpochs = null,
        RunReuse? reuse = null, string? grace = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var output = console.Out;
        reuse ??= new RunReuse(null, false);
        var graceTime = GraceOption.Parse(grace);
        ExperimentSpec WithOptions(ExperimentSpec loaded) => BaselineEpochsOption.Apply(FinalRecoveryOptions.Apply(loaded, finalRecovery, finalMembers), baselineEpochs);
        var resumed = reuse.Open(specPath, outRoot, WithOptions);
        var spec = resumed?.Spec ?? WithOptions(SpecFile.LoadValid(specPath!));
        var live = !plain && console.IsTerminal;
        var runsRoot = resumed?.RunsRoot ?? Path.GetFullPath(outRoot ?? Path.Combine(".prunercluster", "runs"));
        var logFile = live ? Path.Combine(runsRoot, $"{Sanitize(spec.Name)}-{DateTimeOffset.Now:yyyyMMdd-HHmmss}.log") : null;
        output.WriteLine($"prunercluster: embedded search '{spec.Name}' ({spec.Model} on {spec.Dataset}, backend {spec.Backend}, {slots} slot(s))");
        if (logFile is not null)
        {
            output.WriteLine($"logs: {logFile}");
        }

        // Starting the silo is not interruptible half-way: Ctrl+C during start-up takes effect once it is up.
        // The silo saves the recovered models straight into the run directory (<runs>/<id>/models).
        var overrides = new Dictionary<string, string?> { ["PrunerCluster:TorchSharp:RecoveredModelsRoot"] = runsRoot };
        await using var cluster = await EmbeddedCluster.StartAsync(slots, verbose, overrides, CancellationToken.None, logFile).ConfigureAwait(false);
        var (id, directory, reusedFrom) = await reuse.StartAsync(cluster, spec, specPath ?? resumed!.Directory, runsRoot, resumed, output).ConfigureAwait(false);
        using var final = FinalStage.Start(spec, noiseSamples, cluster.PruningServices);
        var view = ExperimentMonitor.CreateView(console, $"embedded search {spec.Name}", plain);
        ExperimentStatus status;
        var interrupted = false;
        try
        {
            status = await ExperimentMonitor.RunAsync(cluster.Grains, id, spec.Budget, view, TimeSpan.FromSeconds(1), cancellationToken, final.Observe).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
            status = await GraceOption.StopAsync(cluster.Grains.GetExperiment(id), graceTime, directory, output).ConfigureAwait(false);
        }

        var noise = await final.StopProbeAsync().ConfigureAwait(false);
        var experiment = cluster.Grains.GetExperiment(id);
        var pareto = await experiment.GetParetoSet().ConfigureAwait(false);
        var evaluations = await experiment.GetEvaluations().ConfigureAwait(false);
        // Final recovery ran on the silo's slots like any evaluation and re-timed every member; without it the front is re-timed here.
        var recovered = status.State == ExperimentState.Completed ? await experiment.GetFinalRecovery().ConfigureAwait(false) : null;
        var remeasured = remeasure && status.State == ExperimentState.Completed && recovered is null
            ? await final.RemeasureAsync(pareto, output, cancellationToken).ConfigureAwait(false)
            : null;
        pareto = remeasured?.Pareto ?? pareto;

        // Written before anything more is printed: after a SIGHUP the terminal may be gone.
        RunDirectory.Write(directory, spec, status, pareto, evaluations);
        if (remeasured is not null)
        {
            RemeasurementReport.Write(directory, remeasured);
        }

        if (reusedFrom is not null)
        {
            output.WriteLine($"reused {cluster.State.Reused} finished evaluations from {reusedFrom}");
        }

        PrintSummary(output, status, pareto, remeasured, interrupted);
        RunEnd.PrintWhere(output, directory, evaluations);
        if (noise.Count >= 2)
        {
            output.WriteLine("latency noise: " + LatencyNoiseProbe.Describe(noise, final.ProbeRawSamples));
        }

        var pick = recovered is null ? null : FinalRecoveryOutput.WriteAndPrint(directory, final.WithNoise(recovered, noise), output);
        RunEnd.PrintNextSteps(output, directory, spec, status, pareto, evaluations, pick);
        return interrupted ? ExitCodes.Interrupted : status.State == ExperimentState.Completed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static void PrintSummary(TextWriter output, ExperimentStatus status, ParetoSet pareto, RemeasuredFront? remeasured, bool interrupted)
    {
        if (interrupted)
        {
            output.WriteLine();
            output.WriteLine("interrupted: cancelling the search; results so far are kept");
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{status.State}: {status.Evaluated} evaluated ({status.Failed} failed), Pareto set of {pareto.Entries.Count}{(remeasured is null ? "" : $" after re-timing every member ({remeasured.Left.Count()} left the front)")}:"));
        output.WriteLine(ParetoReport.Table(pareto));
        foreach (var error in status.Errors)
        {
            output.WriteLine($"note: {error}");
        }

        foreach (var left in remeasured?.Left ?? [])
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"left the front: {FrontRemeasurer.Short(left.Entry.MaskHash)} (latency {left.SearchLatencyMs:F2} ms in the search, {left.LatencyMs:F2} ms re-timed): {left.LeftReason}"));
        }
    }

    internal static string Sanitize(string name) => PathSegment.Safe(name);
}
