using PrunerCluster.Testing;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The live view in a real terminal (tmux): it redraws in place while evaluations complete, and Ctrl+C exits cleanly:
/// embedded search cancels the experiment (and still writes its results); watch detaches and the cluster keeps running it.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class LiveViewTerminalTests(ITestOutputHelper output)
{
    private static string Spec(string name) => $$"""
        {
          "name": "{{name}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 3 },
          "budget": { "maxEvaluations": 400 },
          "synthetic": { "duration": "00:00:00.400", "segmentBits": [8, 8, 16], "salt": "{{name}}" }
        }
        """;

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "prunercluster.dll");

    [Fact]
    public async Task Embedded_search_shows_the_live_view_updating_and_ctrl_c_cancels_the_search()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("live.json", Spec("live-embedded"));
        var runs = Path.Combine(temp.Path, "runs");
        await using var tmux = await TmuxSession.StartAsync(
            temp.Path,
            new Dictionary<string, string> { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true", ["DOTNET_gcServer"] = "0" },
            [SiloProcess.DotnetHost(), Cli, "search", spec, "--slots", "2", "--out", runs]);
        try
        {
            var first = await tmux.WaitForScreenAsync(s => Done(s) >= 2, TimeSpan.FromSeconds(120), "evaluations being counted");
            var second = await tmux.WaitForScreenAsync(s => Done(s) >= Done(first) + 3, TimeSpan.FromSeconds(60), "the count advancing");
            output.WriteLine(second);
            AssertLiveFrame(second, "cancel the search");
            Assert.Matches(@"logs: .*\.log", second);

            await tmux.PressCtrlCAsync();
            Assert.Equal(ExitCodes.Interrupted, await tmux.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            var final = await tmux.ScreenAsync();
            output.WriteLine(final);
            Assert.Contains("interrupted: cancelling the search; results so far are kept", final, StringComparison.Ordinal);
            Assert.Contains("Cancelled:", final, StringComparison.Ordinal);

            var run = Assert.Single(Directory.GetDirectories(runs));
            var status = JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(Path.Combine(run, RunDirectory.StatusFileName)), SpecFile.JsonOptions)!;
            Assert.Equal(ExperimentState.Cancelled, status.State);
            Assert.InRange(status.Evaluated, Done(second), 399);
            Assert.True(File.Exists(Path.Combine(run, RunDirectory.ReportFileName)));
            Assert.DoesNotContain("Exception", final, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine(await tmux.ScreenAsync());
            throw;
        }
    }

    [Fact]
    public async Task Watch_shows_a_cluster_experiment_live_and_ctrl_c_detaches_leaving_it_running()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("watch.json", Spec("live-watch"));
        await using var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 2, timeout: TimeSpan.FromSeconds(90));
        string[] connection = ["--gateway", cluster.Gateways, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
        var submitted = await CliAsync(["submit", spec, .. connection]);
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        var id = submitted.Stdout.Trim();
        try
        {
            await using var tmux = await TmuxSession.StartAsync(temp.Path, new Dictionary<string, string>(), [SiloProcess.DotnetHost(), Cli, "watch", id, .. connection]);
            var first = await tmux.WaitForScreenAsync(s => Done(s) >= 2, TimeSpan.FromSeconds(120), "evaluations being counted");
            var second = await tmux.WaitForScreenAsync(s => Done(s) >= Done(first) + 3, TimeSpan.FromSeconds(60), "the count advancing");
            output.WriteLine(second);
            AssertLiveFrame(second, "detach (the experiment keeps running)");

            await tmux.PressCtrlCAsync();
            Assert.Equal(ExitCodes.Interrupted, await tmux.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var final = await tmux.ScreenAsync();
            output.WriteLine(final);
            Assert.Contains($"detached: experiment {id} keeps running on the cluster", final, StringComparison.Ordinal);

            // Still running on the cluster, and still making progress.
            var before = await StatusAsync(id, connection);
            Assert.Equal(ExperimentState.Running, before.State);
            // Awaited progress instead of a fixed 3 s sleep: the first status that shows more evaluations, within a deadline.
            var progressDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var after = await StatusAsync(id, connection);
            while (after.Evaluated <= before.Evaluated && after.State == ExperimentState.Running && DateTime.UtcNow < progressDeadline)
            {
                await Task.Delay(100);
                after = await StatusAsync(id, connection);
            }

            Assert.Equal(ExperimentState.Running, after.State);
            Assert.True(after.Evaluated > before.Evaluated, $"no progress after detaching: {before.Evaluated} -> {after.Evaluated}");
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            await CliAsync(["cancel", id, .. connection]);
        }
    }

    /// <summary>One frame of the live view: every counter, the front table, one "done" row (redrawn, not scrolled).</summary>
    private static void AssertLiveFrame(string screen, string ctrlC)
    {
        foreach (var label in new[] { "in flight", "failed", "cached", "evals/s", "ETA", "slots", "hypervolume", "current Pareto front", "accuracy", "MACs" })
        {
            Assert.Contains(label, screen, StringComparison.Ordinal);
        }

        Assert.Single(DoneRow().Matches(screen));
        Assert.Contains("Ctrl+C: " + ctrlC, screen, StringComparison.Ordinal);
    }

    private static int Done(string screen)
    {
        var m = DoneRow().Match(screen);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private static async Task<ExperimentStatus> StatusAsync(string id, string[] connection)
    {
        var result = await CliAsync(["status", id, "--json", .. connection]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonSerializer.Deserialize<ExperimentStatus>(result.Stdout, SpecFile.JsonOptions)!;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(string[] args) => CliProcess.InProcessAsync(args);

    [GeneratedRegex(@"done\s+(\d+)/400")]
    private static partial Regex DoneRow();
}
