using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>How a run directory is recognised for a rerun and a resume: by the spec's content hash, never by name or time alone.</summary>
[Trait("Category", "Unit")]
public sealed class RunJournalTests
{
    private static ExperimentSpec Spec(string name, int evaluations) => SpecFile.Parse($$"""
        { "name": "{{name}}", "backend": "synthetic", "model": "vgg", "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 1 }, "budget": { "maxEvaluations": {{evaluations}} } }
        """, "spec.json");

    private static string Run(string runs, string id, ExperimentSpec spec, DateTime journalWritten)
    {
        var directory = Path.Combine(runs, id);
        RunJournal.Mark(directory, spec, id);
        var journal = Path.Combine(directory, RunJournal.JournalFileName);
        File.WriteAllText(journal, "");
        File.SetLastWriteTimeUtc(journal, journalWritten);
        return directory;
    }

    [Fact]
    public void The_previous_run_is_the_latest_journaled_with_the_same_spec()
    {
        using var temp = new TempDirectory();
        var runs = Path.Combine(temp.Path, "runs");
        var spec = Spec("same", 10);
        var older = Run(runs, "same-1", spec, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var newer = Run(runs, "same-2", spec, new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        Run(runs, "other-3", Spec("same", 11), new DateTime(2026, 1, 3, 0, 0, 0, DateTimeKind.Utc));
        var unjournaled = Path.Combine(runs, "same-4");
        RunJournal.Mark(unjournaled, spec, "same-4");

        Assert.Equal(newer, RunJournal.FindPrevious(runs, RunJournal.SpecKey(spec)));
        Assert.NotEqual(older, newer);
        Assert.Null(RunJournal.FindPrevious(runs, RunJournal.SpecKey(Spec("never", 10))));
        Assert.Null(RunJournal.FindPrevious(Path.Combine(temp.Path, "missing"), RunJournal.SpecKey(spec)));
    }

    [Fact]
    public void Resume_takes_the_stored_spec_and_refuses_one_edited_after_the_run_started()
    {
        using var temp = new TempDirectory();
        var spec = Spec("edited", 10);
        var run = Run(Path.Combine(temp.Path, "runs"), "edited-1", spec, DateTime.UtcNow);

        var point = RunJournal.OpenResume(run, s => s, specPath: null);
        Assert.Equal("edited-1", point.ExperimentId);
        Assert.Equal(RunJournal.SpecKey(spec), RunJournal.SpecKey(point.Spec));

        File.WriteAllText(Path.Combine(run, "spec.json"), SpecFile.Serialize(Spec("edited", 12)));
        var error = Assert.Throws<CliException>(() => RunJournal.OpenResume(run, s => s, specPath: null));
        Assert.StartsWith($"--resume: '{Path.Combine(run, "spec.json")}' was changed after the run started", error.Message, StringComparison.Ordinal);
    }
}
