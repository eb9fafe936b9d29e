using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Real signals to a real CLI process: SIGTERM and SIGHUP stop an embedded search the way SIGINT does (cancelled, the run
/// directory written, exit 128 + signal), and stop a waiting client without touching the experiment on the cluster.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class SignalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);

    private static string Spec(string name, int evaluations = 400, string duration = "00:00:00.300") => $$"""
        {
          "name": "{{name}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 3 },
          "budget": { "maxEvaluations": {{evaluations}} },
          "synthetic": { "duration": "{{duration}}", "segmentBits": [8, 8, 16], "salt": "{{name}}" }
        }
        """;

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    [InlineData("INT", 130)]
    public async Task A_signal_cancels_an_embedded_search_writes_its_run_directory_and_exits_with_128_plus_the_signal(string signal, int expected)
    {
        using var temp = new TempDirectory();
        var spec = temp.File("signal.json", Spec("signal-" + signal.ToLowerInvariant()));
        var runs = Path.Combine(temp.Path, "runs");
        using var cli = CliChild.Start(
            ["search", spec, "--plain", "--out", runs, "--noise-samples", "0"],
            new Dictionary<string, string> { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true" });
        try
        {
            await cli.WaitForLineAsync(l => Done(l) >= 2, Generous, "two evaluations done");
            cli.Signal(signal);

            Assert.Equal(expected, await cli.WaitForExitAsync(Generous));
            Assert.Contains("interrupted: cancelling the search; results so far are kept", cli.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", cli.Stdout + cli.Stderr, StringComparison.Ordinal);
            var run = Assert.Single(Directory.GetDirectories(runs));
            var status = JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(Path.Combine(run, RunDirectory.StatusFileName)), SpecFile.JsonOptions)!;
            Assert.Equal(ExperimentState.Cancelled, status.State);
            Assert.InRange(status.Evaluated, 2, 399);
            Assert.True(File.Exists(Path.Combine(run, RunDirectory.EvaluationsJsonFileName)));
            Assert.True(File.Exists(Path.Combine(run, RunDirectory.ReportFileName)));
        }
        finally
        {
            output.WriteLine(cli.Stdout);
            output.WriteLine(cli.Stderr);
        }
    }

    [Fact]
    public async Task Closing_the_terminal_of_a_live_embedded_search_still_writes_its_run_directory()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("hangup.json", Spec("signal-hangup"));
        var runs = Path.Combine(temp.Path, "runs");
        await using var tmux = await TmuxSession.StartAsync(
            temp.Path,
            new Dictionary<string, string> { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true", ["DOTNET_gcServer"] = "0" },
            [SiloProcess.DotnetHost(), Path.Combine(AppContext.BaseDirectory, "prunercluster.dll"), "search", spec, "--out", runs, "--noise-samples", "0"]);
        var screen = await tmux.WaitForScreenAsync(s => LiveDone().Match(s) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= 2, Generous, "two evaluations done");
        output.WriteLine(screen);

        await tmux.HangUpAsync();

        var status = await WaitForRunStatusAsync(runs, Generous);
        Assert.Equal(ExperimentState.Cancelled, status.State);
        Assert.InRange(status.Evaluated, 2, 399);
        var run = Assert.Single(Directory.GetDirectories(runs));
        Assert.True(File.Exists(Path.Combine(run, RunDirectory.EvaluationsJsonFileName)));
    }

    /// <summary>The run directory's status once the CLI has written it (the report is written last); fails after <paramref name="timeout"/>.</summary>
    private static async Task<ExperimentStatus> WaitForRunStatusAsync(string runs, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault() : null;
            if (run is not null && File.Exists(Path.Combine(run, RunDirectory.ReportFileName)))
            {
                return JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(Path.Combine(run, RunDirectory.StatusFileName)), SpecFile.JsonOptions)!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no run directory with a report under '{runs}' within {timeout} of the hangup");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Sigterm_and_sighup_detach_submit_wait_and_watch_with_exit_143_and_129_leaving_the_experiment_running()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("detach.json", Spec("signal-detach"));
        await using var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 2, timeout: Generous);
        string[] connection = ["--gateway", cluster.Gateways, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
        string? id = null;
        try
        {
            using (var submit = CliChild.Start(["submit", spec, "--wait", "--plain", .. connection]))
            {
                id = (await submit.WaitForLineAsync(l => l.StartsWith("signal-detach", StringComparison.Ordinal), Generous, "the experiment id")).Trim();
                await AssertSignalDetachesAsync(submit, id, connection, "TERM", ExitCodes.Terminated);
            }

            using var watch = CliChild.Start(["watch", id, "--plain", .. connection]);
            await AssertSignalDetachesAsync(watch, id, connection, "HUP", ExitCodes.HungUp);
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            if (id is not null)
            {
                await CliProcess.InProcessAsync(["cancel", id, .. connection]);
            }
        }
    }

    private async Task AssertSignalDetachesAsync(CliChild cli, string id, string[] connection, string signal, int expected)
    {
        try
        {
            var seen = Done(await cli.WaitForLineAsync(l => Done(l) >= 1, Generous, "an evaluation done"));
            var signalled = Stopwatch.StartNew();
            cli.Signal(signal);

            Assert.Equal(expected, await cli.WaitForExitAsync(Generous));
            Assert.InRange(signalled.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
            Assert.Contains($"detached: experiment {id} keeps running on the cluster", cli.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", cli.Stdout + cli.Stderr, StringComparison.Ordinal);
            var status = await StatusAsync(id, connection);
            Assert.Equal(ExperimentState.Running, status.State);
            Assert.True(status.Evaluated >= seen, $"evaluated {status.Evaluated} < {seen}");
        }
        finally
        {
            output.WriteLine(cli.Stdout);
            output.WriteLine(cli.Stderr);
        }
    }

    [Fact]
    public async Task With_grace_watch_waits_for_the_end_and_writes_the_run_directory_and_a_second_signal_detaches_at_once()
    {
        using var temp = new TempDirectory();
        var runs = Path.Combine(temp.Path, "runs");
        await using var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 2, timeout: Generous);
        string[] connection = ["--gateway", cluster.Gateways, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
        string? endless = null;
        try
        {
            // An experiment that ends within the grace: the signal stops the view, the client waits, writes the run directory, exits 0.
            var shortSpec = temp.File("short.json", Spec("grace-short", evaluations: 40, duration: "00:00:00.500"));
            var (code, stdout, stderr) = await CliProcess.InProcessAsync(["submit", shortSpec, .. connection]);
            Assert.True(code == ExitCodes.Ok, stderr);
            var id = stdout.Trim();
            using (var watch = CliChild.Start(["watch", id, "--plain", "--out", runs, "--grace", "60", .. connection]))
            {
                try
                {
                    await watch.WaitForLineAsync(l => l.Contains("done ", StringComparison.Ordinal), Generous, "a progress line");
                    watch.Signal("TERM");
                    Assert.Equal(ExitCodes.Ok, await watch.WaitForExitAsync(Generous));
                    Assert.Contains($"stopping: waiting up to 60 s for experiment {id} to end", watch.Stdout, StringComparison.Ordinal);
                    Assert.Contains($"experiment {id} completed: 40 evaluated", watch.Stdout, StringComparison.Ordinal);
                    Assert.DoesNotContain("detached", watch.Stdout, StringComparison.Ordinal);
                    Assert.True(File.Exists(Path.Combine(runs, id, RunDirectory.ReportFileName)), "no report in the run directory");
                    Assert.Equal(ExperimentState.Completed, JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(Path.Combine(runs, id, RunDirectory.StatusFileName)), SpecFile.JsonOptions)!.State);
                }
                finally
                {
                    output.WriteLine(watch.Stdout + Environment.NewLine + watch.Stderr);
                }
            }

            // An experiment that does not: a second signal during the grace ends submit --wait at once; the experiment goes on.
            var longSpec = temp.File("long.json", Spec("grace-long"));
            using var submit = CliChild.Start(["submit", longSpec, "--wait", "--plain", "--out", runs, "--grace", "120", .. connection]);
            try
            {
                endless = (await submit.WaitForLineAsync(l => l.StartsWith("grace-long", StringComparison.Ordinal), Generous, "the experiment id")).Trim();
                await submit.WaitForLineAsync(l => Done(l) >= 1, Generous, "an evaluation done");
                submit.Signal("INT");
                await submit.WaitForLineAsync(l => l.StartsWith("stopping:", StringComparison.Ordinal), Generous, "the grace period");
                var second = Stopwatch.StartNew();
                submit.Signal("TERM");
                var code2 = await submit.WaitForExitAsync(Generous);
                output.WriteLine($"second signal: exit {code2} after {second.Elapsed.TotalSeconds:F1} s");
                Assert.NotEqual(ExitCodes.Ok, code2);
                Assert.InRange(second.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
                Assert.False(Directory.Exists(Path.Combine(runs, endless)), "a run directory for an experiment still running");
                Assert.Equal(ExperimentState.Running, (await StatusAsync(endless, connection)).State);
            }
            finally
            {
                output.WriteLine(submit.Stdout + Environment.NewLine + submit.Stderr);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            if (endless is not null)
            {
                await CliProcess.InProcessAsync(["cancel", endless, .. connection]);
            }
        }
    }

    [Fact]
    public async Task A_silo_drains_on_sighup_within_its_grace_and_a_second_signal_stops_it_at_once()
    {
        using var temp = new TempDirectory();

        // SIGHUP with evaluations running (3 s each, --grace 60): the silo drains, they finish, it exits 0.
        await using (var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 2, timeout: Generous, _ => ["--grace", "60"]))
        {
            var silo = cluster.Silos[0];
            try
            {
                await SubmitAndWaitForWorkAsync(cluster, temp.File("hup.json", Spec("silo-hup", duration: "00:00:03")));
                var clock = Stopwatch.StartNew();
                silo.Signal("HUP");
                using var exit = new CancellationTokenSource(Generous);
                await silo.WaitForExitAsync(exit.Token);
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s after SIGHUP: exited with {silo.ExitCode}");
                Assert.Equal(0, silo.ExitCode);
                Assert.Contains("Received SIGHUP: stopping; running evaluations get up to 60 s to finish", silo.Output(), StringComparison.Ordinal);
                Assert.Matches(@"drained in [\d.]+ s \(all running evaluations finished: True\)", silo.Output());
                Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(45));
            }
            catch
            {
                output.WriteLine(cluster.Logs());
                throw;
            }
        }

        // SIGHUP with evaluations of 90 s and --grace 120, then SIGTERM: the drain is cut short, the process ends at once.
        await using (var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 2, timeout: Generous, _ => ["--grace", "120"]))
        {
            var silo = cluster.Silos[0];
            try
            {
                await SubmitAndWaitForWorkAsync(cluster, temp.File("twice.json", Spec("silo-twice", duration: "00:01:30")));
                silo.Signal("HUP");
                await WaitForAsync(() => silo.Output().Contains("Received SIGHUP", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the silo's drain");
                var second = Stopwatch.StartNew();
                silo.Signal("TERM");
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await silo.WaitForExitAsync(exit.Token);
                output.WriteLine($"{second.Elapsed.TotalSeconds:F1} s after the second signal: exited with {silo.ExitCode}");
                Assert.NotEqual(0, silo.ExitCode);
                Assert.InRange(second.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
                Assert.DoesNotContain("drained in", silo.Output(), StringComparison.Ordinal);
            }
            catch
            {
                output.WriteLine(cluster.Logs());
                throw;
            }
        }
    }

    /// <summary>Submits <paramref name="spec"/> and waits until the silo runs at least one evaluation of it.</summary>
    private static async Task SubmitAndWaitForWorkAsync(SiloProcesses cluster, string spec)
    {
        string[] connection = ["--gateway", cluster.Gateways, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
        var (code, stdout, stderr) = await CliProcess.InProcessAsync(["submit", spec, .. connection]);
        Assert.True(code == ExitCodes.Ok, stderr);
        var id = stdout.Trim();
        var deadline = DateTime.UtcNow + Generous;
        while ((await StatusAsync(id, connection)).InFlight < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no evaluation of {id} in flight within {Generous}");
            await Task.Delay(250);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {timeout}");
            await Task.Delay(100);
        }
    }

    private static async Task<ExperimentStatus> StatusAsync(string id, string[] connection)
    {
        var (code, stdout, stderr) = await CliProcess.InProcessAsync(["status", id, "--json", .. connection]);
        Assert.True(code == ExitCodes.Ok, stderr);
        return JsonSerializer.Deserialize<ExperimentStatus>(stdout, SpecFile.JsonOptions)!;
    }

    private static int Done(string line)
    {
        var m = DoneCount().Match(line);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"done (\d+)/400")]
    private static partial Regex DoneCount();

    [GeneratedRegex(@"done\s+(\d+)/400")]
    private static partial Regex LiveDone();
}
