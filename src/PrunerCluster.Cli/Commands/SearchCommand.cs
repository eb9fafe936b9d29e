using System.Globalization;
using PrunerCluster.Cli.Hosting;
using PrunerCluster.Cli.Output;
using PrunerCluster.Cli.Recovery;
using PrunerCluster.Cli.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary><c>prunercluster search &lt;spec&gt;</c>: an embedded single-process cluster runs the whole search.</summary>
public static class SearchCommand
{
    public const string Usage = "search <spec.json> [--slots N] [--out DIR] [--final-recovery STEPS] [--final-members N] [--noise-samples N] [--verbose]";

    public static async Task<int> RunAsync(CommandArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var specPath = args.Required(0, "spec file (JSON)");
        var slots = args.Number("slots", 1, 1);
        var outRoot = args.Value("out");
        var verbose = args.Flag("verbose");
        var recoverySteps = args.Value("final-recovery");
        var recoveryMembers = args.Value("final-members");
        var noiseSamples = args.Number("noise-samples", FinalStage.DefaultNoiseSamples, 0);
        args.EnsureAllUsed();

        var spec = FinalRecoveryOptions.Apply(SpecFile.Load(specPath), recoverySteps, recoveryMembers);
        var structural = SpecValidator.Validate(spec);
        if (structural.Count > 0)
        {
            return Rejected(output, specPath, structural);
        }

        output.WriteLine($"prunercluster: embedded search '{spec.Name}' ({spec.Model} on {spec.Dataset}, backend {spec.Backend}, {slots} slot(s))");
        await using var cluster = await EmbeddedCluster.StartAsync(slots, verbose, null, cancellationToken).ConfigureAwait(false);
        var submission = await cluster.Grains.SubmitExperimentAsync(spec).ConfigureAwait(false);
        if (!submission.Accepted || submission.ExperimentId is null)
        {
            return Rejected(output, specPath, submission.Errors);
        }

        var id = submission.ExperimentId;
        output.WriteLine($"experiment {id} accepted");
        using var final = FinalStage.Start(spec, noiseSamples);
        var status = await WaitAsync(cluster.Grains, id, spec, output, cancellationToken, final.Observe).ConfigureAwait(false);
        var noise = await final.StopProbeAsync().ConfigureAwait(false);
        var experiment = cluster.Grains.GetExperiment(id);
        var pareto = await experiment.GetParetoSet().ConfigureAwait(false);
        var evaluations = await experiment.GetEvaluations().ConfigureAwait(false);

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{status.State}: {status.Evaluated} evaluated ({status.Failed} failed), Pareto set of {pareto.Entries.Count}:"));
        output.WriteLine(ParetoReport.Table(pareto));
        foreach (var error in status.Errors)
        {
            output.WriteLine($"note: {error}");
        }

        var directory = Path.GetFullPath(Path.Combine(outRoot ?? Path.Combine(".prunercluster", "runs"), Sanitize(id)));
        RunDirectory.Write(directory, spec, status, pareto, evaluations);
        output.WriteLine($"results: {directory} (pareto.json, pareto.csv, evaluations.csv, *.svg plots)");
        if (LatencyNoiseProbe.CoefficientOfVariation(noise) is { } cv)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency noise: unpruned model timed {noise.Count} times during the search, coefficient of variation {cv:P1}"));
        }

        if (status.State == ExperimentState.Completed
            && await final.RecoverAsync(pareto, noise, Path.Combine(directory, "models"), output, cancellationToken).ConfigureAwait(false) is { } recovered)
        {
            FinalRecoveryReport.Write(directory, recovered);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after final recovery ({recovered.FineTuneSteps} steps, test set; drops against the unpruned model recovered the same way):"));
            output.WriteLine(FinalRecoveryReport.Table(recovered));
            output.WriteLine($"recovered models: {Path.Combine(directory, "models")}; table: {Path.Combine(directory, FinalRecoveryReport.JsonFileName)}, {FinalRecoveryReport.CsvFileName}");
        }

        output.WriteLine($"export a model: prunercluster export {Path.Combine(directory, RunDirectory.ParetoJsonFileName)} --rank 1 --out <dir>");
        return status.State == ExperimentState.Completed ? 0 : 1;
    }

    internal static async Task<ExperimentStatus> WaitAsync(IGrainFactory grains, string id, ExperimentSpec spec, TextWriter output, CancellationToken cancellationToken, Action<ExperimentStatus>? observe = null)
    {
        // A line when something countable changes (state, evaluations, in flight, front), else one every 30 s.
        (ExperimentState, int, int, int, int)? last = null;
        var lastPrinted = DateTimeOffset.MinValue;
        try
        {
            return await grains.WaitForExperimentAsync(
                id,
                TimeSpan.FromSeconds(1),
                s =>
                {
                    observe?.Invoke(s);
                    var key = (s.State, s.Evaluated, s.Failed, s.InFlight, s.ParetoSize);
                    var now = DateTimeOffset.Now;
                    if (key != last || now - lastPrinted >= TimeSpan.FromSeconds(30))
                    {
                        output.WriteLine(now.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + StatusLine.Format(s, spec.Budget.MaxEvaluations));
                        last = key;
                        lastPrinted = now;
                    }
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("interrupted: cancelling the experiment; results so far are kept");
            return await grains.GetExperiment(id).Cancel().ConfigureAwait(false);
        }
    }

    internal static int Rejected(TextWriter output, string source, IReadOnlyList<SpecError> errors)
    {
        output.WriteLine($"error: spec '{source}' was rejected:");
        foreach (var e in errors)
        {
            output.WriteLine($"  {e.Field}: {e.Message}");
        }

        return 2;
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
