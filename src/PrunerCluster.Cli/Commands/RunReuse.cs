using System.Text.Json;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Engine.Localhost;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>search --resume DIR</c> and <c>--fresh</c>. Every embedded run journals its silo's grain state to its run directory.
/// A resume loads that journal: the coordinator re-activates from its stored state and every finished evaluation is
/// served from its individual's stored outcome. A new run of a spec already searched under the same runs folder is seeded
/// with that run's finished evaluations, found by content key as a PostgreSQL cluster's memo would (<c>--fresh</c>: not).
/// A run that ended cancelled or failed cannot go on; resuming it starts a new experiment seeded with its evaluations.
/// </summary>
public sealed record RunReuse(string? ResumeDirectory, bool Fresh)
{
    /// <summary>Checks the options together and opens the run to resume (null: a new search of <paramref name="specPath"/>).</summary>
    public ResumePoint? Open(string? specPath, string? outRoot, Func<ExperimentSpec, ExperimentSpec> withOptions)
    {
        if (ResumeDirectory is null)
        {
            return specPath is null ? throw new CliException("search needs a spec file, or --resume RUN-DIR to continue an interrupted search") : null;
        }

        if (Fresh)
        {
            throw new CliException($"--fresh cannot be combined with --resume '{ResumeDirectory}': a resume keeps the run's finished evaluations; run 'search <spec> --fresh' for a new search");
        }

        if (outRoot is not null)
        {
            throw new CliException($"--out '{outRoot}' cannot be combined with --resume: the run continues in its own directory '{ResumeDirectory}'");
        }

        return RunJournal.OpenResume(ResumeDirectory, withOptions, specPath);
    }

    public async Task<StartedRun> StartAsync(EmbeddedCluster cluster, ExperimentSpec spec, string specSource, string runsRoot, ResumePoint? resumed, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(output);
        if (resumed is not null && EndedState(resumed.Directory) is not { } ended)
        {
            return await ContinueAsync(cluster, resumed, output).ConfigureAwait(false);
        }

        var previous = resumed?.Directory ?? (Fresh ? null : RunJournal.FindPrevious(runsRoot, RunJournal.SpecKey(spec)));
        if (previous is not null && Seed(cluster, previous, output) is { } seeded)
        {
            output.WriteLine(resumed is null
                ? $"reusing the {seeded} finished evaluations of an earlier run of this spec in {previous} (--fresh recomputes them)"
                : $"experiment {resumed.ExperimentId} ended {EndedState(resumed.Directory)}: a new experiment continues it, reusing its {seeded} finished evaluations");
        }
        else
        {
            previous = null;
        }

        var submission = await cluster.Grains.SubmitExperimentAsync(spec).ConfigureAwait(false);
        if (!submission.Accepted || submission.ExperimentId is null)
        {
            throw SpecFile.Rejected(specSource, submission.Errors);
        }

        var id = submission.ExperimentId;
        var directory = Path.Combine(runsRoot, PathSegment.Safe(id));
        try
        {
            RunJournal.Mark(directory, spec, id);
            cluster.State.Attach(Path.Combine(directory, RunJournal.JournalFileName), resume: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the run directory '{directory}' ({ex.Message}); choose a writable folder with --out", ExitCodes.Failed, ex);
        }
        output.WriteLine($"experiment {id} accepted");
        return new StartedRun(id, directory, previous);
    }

    private static async Task<StartedRun> ContinueAsync(EmbeddedCluster cluster, ResumePoint resumed, TextWriter output)
    {
        JournalContents contents;
        try
        {
            contents = cluster.State.Attach(resumed.JournalPath, resume: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--resume: cannot open '{resumed.JournalPath}' for writing ({ex.Message}); the run directory must be writable and no other search may be running it", ExitCodes.Usage, ex);
        }

        if (contents.IgnoredBytes > 0)
        {
            output.WriteLine($"{resumed.JournalPath}: left out a torn last record ({contents.IgnoredBytes} bytes, the write the run was stopped in)");
        }

        var experiment = cluster.Grains.GetExperiment(resumed.ExperimentId);
        var status = await experiment.GetStatus().ConfigureAwait(false);
        if (status.State == ExperimentState.Paused)
        {
            // Stopped during a signal's grace period: paused so that nothing new started; the resume goes on from there.
            status = await experiment.Resume().ConfigureAwait(false);
        }

        output.WriteLine($"resuming experiment {resumed.ExperimentId} from {resumed.Directory}: {FinishedEvaluations.Count(contents)} finished evaluations kept, {status.Evaluated} evaluated so far ({status.State})");
        return new StartedRun(resumed.ExperimentId, resumed.Directory, null);
    }

    /// <summary>Seeds the silo with the finished evaluations of <paramref name="previous"/>; null (and a note) when its journal cannot be read, e.g. while that search still runs.</summary>
    private static int? Seed(EmbeddedCluster cluster, string previous, TextWriter output)
    {
        try
        {
            return cluster.SeedFinishedEvaluations(Path.Combine(previous, RunJournal.JournalFileName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"not reusing the evaluations of {previous}: its journal cannot be read now ({ex.Message}; a search still running there holds it)");
            return null;
        }
    }

    /// <summary>Cancelled or Failed when the run directory's status says the run ended that way; null otherwise (killed, or completed).</summary>
    private static ExperimentState? EndedState(string directory)
    {
        var path = Path.Combine(directory, RunDirectory.StatusFileName);
        try
        {
            var state = File.Exists(path) ? JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(path), SpecFile.JsonOptions)?.State : null;
            return state is ExperimentState.Cancelled or ExperimentState.Failed ? state : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
