using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Localhost;
using PrunerCluster.Testing;
using Xunit.Abstractions;
using static PrunerCluster.Cli.Tests.EmbeddedRuns;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Resume and reuse on one machine, with real processes: an embedded search killed with SIGKILL mid-run is resumed from
/// its run directory's journal without recomputing a finished evaluation; a rerun of the same spec is served from the
/// earlier run's evaluations by content key, and <c>--fresh</c> recomputes them. Evaluations executed are counted from
/// the journals: an individual's record is written once per evaluation that ran.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class EmbeddedResumeTests(ITestOutputHelper output)
{
    private static string Spec(string name, int evaluations, string mode) => $$"""
        {
          "name": "{{name}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 5, "mode": "{{mode}}" },
          "budget": { "maxEvaluations": {{evaluations}} },
          "synthetic": { "duration": "00:00:00.250", "segmentBits": [8, 8, 16], "salt": "{{name}}" }
        }
        """;

    [Fact]
    public async Task A_search_killed_mid_run_resumes_from_its_journal_and_recomputes_no_finished_evaluation()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("resume.json", Spec("resume-kill", 48, "steadyState"));
        var runs = Path.Combine(temp.Path, "runs");
        using (var killed = CliChild.Start(["search", spec, "--plain", "--out", runs, "--noise-samples", "0"], Synthetic))
        {
            await killed.WaitForLineAsync(l => Done(l) >= 8, Generous, "eight evaluations done");
            killed.Signal("KILL");
            Assert.Equal(137, await killed.WaitForExitAsync(Generous));
        }

        var run = Assert.Single(Directory.GetDirectories(runs));
        var journal = Path.Combine(run, RunJournal.JournalFileName);
        var before = StateJournal.Read(journal);
        var finished = IndividualWrites(before.Entries).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(finished.Count, 8, 47);
        Assert.False(File.Exists(Path.Combine(run, RunDirectory.StatusFileName)), "a killed search wrote no status");

        var (code, stdout, stderr) = await CliProcess.RunAsync(["search", "--resume", run, "--plain", "--noise-samples", "0"], Synthetic, CancellationToken.None);
        output.WriteLine(stdout + stderr);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($"resuming experiment {Path.GetFileName(run)} from {run}: {finished.Count} finished evaluations kept", stdout, StringComparison.Ordinal);
        var after = StateJournal.Read(journal);
        var recomputed = IndividualWrites(after.Entries.Skip(before.Entries.Count)).ToList();
        Assert.DoesNotContain(recomputed, finished.Contains);
        Assert.Equal(recomputed.Count, recomputed.Distinct(StringComparer.Ordinal).Count());
        var status = ReadStatus(run);
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(48, status.Evaluated);
        Assert.Equal(finished.Count + recomputed.Count, IndividualWrites(after.Entries).Count());
        Assert.Equal(48, JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(run, RunDirectory.EvaluationsJsonFileName))).GetArrayLength());
    }

    [Fact]
    public async Task A_rerun_of_the_same_spec_reuses_every_finished_evaluation_and_fresh_recomputes_them()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("rerun.json", Spec("resume-rerun", 24, "generational"));
        var runs = Path.Combine(temp.Path, "runs");
        string[] search = ["search", spec, "--plain", "--out", runs, "--noise-samples", "0"];

        var first = await RunAsync(search);
        Assert.DoesNotContain("reus", first.Stdout, StringComparison.Ordinal);
        var firstRun = Assert.Single(Directory.GetDirectories(runs));
        var computed = IndividualWrites(StateJournal.Read(Path.Combine(firstRun, RunJournal.JournalFileName)).Entries).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(computed.Count, 8, 24);

        var rerun = await RunAsync(search);
        var rerunDir = Assert.Single(Directory.GetDirectories(runs), d => d != firstRun);
        Assert.Contains($"reused {computed.Count} finished evaluations from {firstRun}", rerun.Stdout, StringComparison.Ordinal);
        Assert.Equal(computed.OrderBy(k => k, StringComparer.Ordinal), IndividualWrites(StateJournal.Read(Path.Combine(rerunDir, RunJournal.JournalFileName)).Entries).Order(StringComparer.Ordinal));
        Assert.Equal(ReadStatus(firstRun).Evaluated, ReadStatus(rerunDir).Evaluated);

        var fresh = await RunAsync([.. search, "--fresh"]);
        var freshDir = Assert.Single(Directory.GetDirectories(runs), d => d != firstRun && d != rerunDir);
        Assert.DoesNotContain("reus", fresh.Stdout, StringComparison.Ordinal);
        Assert.Equal(computed.OrderBy(k => k, StringComparer.Ordinal), IndividualWrites(StateJournal.Read(Path.Combine(freshDir, RunJournal.JournalFileName)).Entries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Resuming_a_run_a_signal_cancelled_starts_a_new_experiment_that_reuses_all_its_finished_evaluations()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("cancelled.json", Spec("resume-cancelled", 48, "generational"));
        var runs = Path.Combine(temp.Path, "runs");
        using (var cancelled = CliChild.Start(["search", spec, "--plain", "--out", runs, "--noise-samples", "0"], Synthetic))
        {
            await cancelled.WaitForLineAsync(l => Done(l) >= 4, Generous, "four evaluations done");
            cancelled.Signal("INT");
            Assert.Equal(ExitCodes.Interrupted, await cancelled.WaitForExitAsync(Generous));
        }

        var run = Assert.Single(Directory.GetDirectories(runs));
        Assert.Equal(ExperimentState.Cancelled, ReadStatus(run).State);
        var finished = IndividualWrites(StateJournal.Read(Path.Combine(run, RunJournal.JournalFileName)).Entries).ToHashSet(StringComparer.Ordinal);

        var (_, stdout) = await RunAsync(["search", "--resume", run, "--plain", "--noise-samples", "0"]);

        Assert.Contains($"experiment {Path.GetFileName(run)} ended Cancelled: a new experiment continues it, reusing its {finished.Count} finished evaluations", stdout, StringComparison.Ordinal);
        Assert.Contains($"reused {finished.Count} finished evaluations from {run}", stdout, StringComparison.Ordinal);
        var continued = Assert.Single(Directory.GetDirectories(runs), d => d != run);
        Assert.Equal(ExperimentState.Completed, ReadStatus(continued).State);
        Assert.Equal(48, ReadStatus(continued).Evaluated);
        var writes = IndividualWrites(StateJournal.Read(Path.Combine(continued, RunJournal.JournalFileName)).Entries).ToList();
        Assert.Equal(writes.Count, writes.Distinct(StringComparer.Ordinal).Count());
        Assert.Superset(finished, writes.ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Resume_refuses_a_folder_that_is_no_run_directory_and_a_spec_that_differs_in_one_line_each()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("a.json", Spec("resume-refuse", 8, "generational"));
        var other = temp.File("b.json", Spec("resume-refuse", 9, "generational"));
        var run = Path.Combine(temp.Path, "runs", "resume-refuse-0123456789");
        RunJournal.Mark(run, SpecFile.LoadValid(spec), "resume-refuse-0123456789");

        var notARun = await CliProcess.InProcessAsync(["search", "--resume", temp.Path]);
        Assert.Equal(ExitCodes.Usage, notARun.ExitCode);
        Assert.StartsWith($"error: --resume: '{temp.Path}' is not the run directory of an embedded search", notARun.Stderr, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(run, RunJournal.JournalFileName), "");
        var differs = await CliProcess.InProcessAsync(["search", other, "--resume", run]);
        Assert.Equal(ExitCodes.Usage, differs.ExitCode);
        Assert.Contains($"--resume: spec '{other}' (with the options given) differs from the spec", differs.Stderr, StringComparison.Ordinal);

        var withFresh = await CliProcess.InProcessAsync(["search", "--resume", run, "--fresh"]);
        Assert.Equal(ExitCodes.Usage, withFresh.ExitCode);
        Assert.Contains("--fresh cannot be combined with --resume", withFresh.Stderr, StringComparison.Ordinal);

        var nothing = await CliProcess.InProcessAsync(["search"]);
        Assert.Equal(ExitCodes.Usage, nothing.ExitCode);
        Assert.Contains("search needs a spec file, or --resume RUN-DIR", nothing.Stderr, StringComparison.Ordinal);
        foreach (var text in new[] { notARun.Stderr, differs.Stderr, withFresh.Stderr, nothing.Stderr })
        {
            Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        }
    }

    private async Task<(int Code, string Stdout)> RunAsync(IEnumerable<string> args)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(args, Synthetic, CancellationToken.None);
        output.WriteLine(stdout + stderr);
        Assert.Equal(ExitCodes.Ok, code);
        return (code, stdout);
    }
}
