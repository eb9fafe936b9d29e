using System.Diagnostics;
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
/// <c>search --grace</c> with real signals to a real process: after the first SIGTERM nothing new starts and the
/// evaluations in flight finish and are kept; a second signal ends the process at once, and the journal it leaves
/// resumes without recomputing a finished evaluation.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class GraceSignalTests(ITestOutputHelper output)
{
    private static string Spec(string name) => $$"""
        {
          "name": "{{name}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 7 },
          "budget": { "maxEvaluations": 12 },
          "synthetic": { "duration": "00:00:02", "segmentBits": [8, 8, 16], "salt": "{{name}}" }
        }
        """;

    [Fact]
    public async Task Sigterm_with_grace_starts_nothing_new_and_keeps_the_evaluations_in_flight_once_they_finish()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("grace.json", Spec("grace-finish"));
        var runs = Path.Combine(temp.Path, "runs");
        using var cli = CliChild.Start(["search", spec, "--plain", "--out", runs, "--noise-samples", "0", "--grace", "60"], Synthetic);
        try
        {
            var seen = Done(await cli.WaitForLineAsync(l => Done(l) >= 2, Generous, "two evaluations done"));
            var stopping = Stopwatch.StartNew();
            cli.Signal("TERM");

            Assert.Equal(ExitCodes.Terminated, await cli.WaitForExitAsync(Generous));
            Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(45));
            var stop = StoppingLine().Match(cli.Stdout);
            Assert.True(stop.Success, "no 'stopping:' line");
            var inFlight = int.Parse(stop.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Matches(@"grace: \d+ finished in [\d.]+ s, 0 still in flight are cancelled", cli.Stdout);
            Assert.DoesNotContain("Exception", cli.Stdout + cli.Stderr, StringComparison.Ordinal);
            var run = Assert.Single(Directory.GetDirectories(runs));
            var status = ReadStatus(run);
            Assert.Equal(ExperimentState.Cancelled, status.State);
            Assert.InRange(status.Evaluated, seen + 1, seen + inFlight + 1);
        }
        finally
        {
            output.WriteLine(cli.Stdout);
            output.WriteLine(cli.Stderr);
        }
    }

    [Fact]
    public async Task A_second_signal_in_the_grace_period_stops_at_once_and_the_run_resumes_without_recomputing()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("twice.json", Spec("grace-twice"));
        var runs = Path.Combine(temp.Path, "runs");
        using (var cli = CliChild.Start(["search", spec, "--plain", "--out", runs, "--noise-samples", "0", "--grace", "120"], Synthetic))
        {
            await cli.WaitForLineAsync(l => Done(l) >= 2, Generous, "two evaluations done");
            cli.Signal("TERM");
            await cli.WaitForLineAsync(l => l.StartsWith("stopping:", StringComparison.Ordinal), Generous, "the grace period");
            var second = Stopwatch.StartNew();
            cli.Signal("TERM");
            Assert.NotEqual(ExitCodes.Ok, await cli.WaitForExitAsync(Generous));
            Assert.InRange(second.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
            output.WriteLine(cli.Stdout + cli.Stderr);
        }

        var run = Assert.Single(Directory.GetDirectories(runs));
        var journal = Path.Combine(run, RunJournal.JournalFileName);
        var before = StateJournal.Read(journal);
        var finished = IndividualWrites(before.Entries).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(finished.Count, 2, 11);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["search", "--resume", run, "--plain", "--noise-samples", "0"], Synthetic, CancellationToken.None);
        output.WriteLine(stdout + stderr);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($"{finished.Count} finished evaluations kept", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(IndividualWrites(StateJournal.Read(journal).Entries.Skip(before.Entries.Count)), finished.Contains);
        var status = ReadStatus(run);
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(12, status.Evaluated);
    }

    [GeneratedRegex(@"stopping: no new evaluations; the (\d+) in flight")]
    private static partial Regex StoppingLine();
}
