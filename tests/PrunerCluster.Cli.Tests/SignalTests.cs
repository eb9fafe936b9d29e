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

    private static string Spec(string name) => $$"""
        {
          "name": "{{name}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 3 },
          "budget": { "maxEvaluations": 400 },
          "synthetic": { "duration": "00:00:00.300", "segmentBits": [8, 8, 16], "salt": "{{name}}" }
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
    public async Task Sigterm_detaches_submit_wait_and_watch_with_exit_143_leaving_the_experiment_running()
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
                await AssertSigtermDetachesAsync(submit, id, connection);
            }

            using var watch = CliChild.Start(["watch", id, "--plain", .. connection]);
            await AssertSigtermDetachesAsync(watch, id, connection);
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

    private async Task AssertSigtermDetachesAsync(CliChild cli, string id, string[] connection)
    {
        try
        {
            var seen = Done(await cli.WaitForLineAsync(l => Done(l) >= 1, Generous, "an evaluation done"));
            cli.Signal("TERM");

            Assert.Equal(ExitCodes.Terminated, await cli.WaitForExitAsync(Generous));
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
