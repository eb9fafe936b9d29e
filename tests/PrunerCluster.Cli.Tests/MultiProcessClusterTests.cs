using PrunerCluster.Testing;
using System.Diagnostics;
using System.Text.Json;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Two real silo processes on loopback (localhost clustering, no database) and the CLI's client commands against them:
/// the multi-silo setup a user gets from cluster/scripts/local-cluster.sh.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class MultiProcessClusterTests(ITestOutputHelper output)
{
    private const string SyntheticSpec = """
        {
          // Synthetic backend: deterministic metrics, each evaluation holds its slot for 200 ms.
          "name": "multi-process",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 5 },
          "budget": { "maxEvaluations": 24 },
          "synthetic": { "duration": "00:00:00.200", "segmentBits": [8, 8, 16], "salt": "multi-process" }
        }
        """;

    [Fact]
    public async Task Two_silo_processes_run_a_submitted_search_and_serve_its_pareto_set_to_the_cli()
    {
        using var temp = new TempDirectory();
        var specPath = temp.File("synthetic.json", SyntheticSpec);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var clock = Stopwatch.StartNew();
        await using var cluster = await SiloProcesses.StartAsync(count: 2, slotsPerSilo: 2, timeout: TimeSpan.FromSeconds(90));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: gateways {cluster.Gateways} accept");
        try
        {
            string[] connection = ["--gateway", cluster.Gateways, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
            string[] live = [.. connection, "--connect-timeout", "90"];
            await using (var client = await ClusterConnection.ConnectAsync(cluster.Gateways, cluster.ClusterId, cluster.ServiceId, deadline.Token))
            {
                await WaitForSiloLeasesAsync(client.Grains, silos: 2, TimeSpan.FromSeconds(60));

                // A silo process opens no path a client names: absolute paths, '..' and a cache directory are refused at submission.
                var probe = Path.Combine(temp.Path, "must-not-exist");
                var refused = await client.Grains.SubmitExperimentAsync(new ExperimentSpec
                {
                    Name = "paths",
                    DataRoot = "/etc",
                    ModelSource = new ModelSourceSpec { Onnx = "../../model.onnx" },
                    Baseline = new BaselineSettings { CacheDirectory = probe },
                });
                Assert.False(refused.Accepted);
                foreach (var field in new[] { "baseline.cacheDirectory", "dataRoot", "model.onnx" })
                {
                    Assert.Contains("refused", Assert.Single(refused.Errors, e => e.Field == field).Message, StringComparison.Ordinal);
                }

                Assert.False(Directory.Exists(probe));
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the scheduler sees both silos' slots");

            var submit = await CliAsync(["submit", specPath, "--wait", .. live], deadline.Token);
            output.WriteLine(submit.Stdout + submit.Stderr);
            Assert.Equal(0, submit.ExitCode);
            var id = submit.Stdout.Split(Environment.NewLine)[0].Trim();
            Assert.StartsWith("multi-process", id, StringComparison.Ordinal);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: search done");

            var paretoOut = await CliAsync(["pareto", id, "--json", .. live], deadline.Token);
            Assert.Equal(0, paretoOut.ExitCode);
            var pareto = JsonSerializer.Deserialize<ParetoSet>(paretoOut.Stdout, SpecFile.JsonOptions)!;
            Assert.Equal(id, pareto.ExperimentId);
            Assert.Equal(24, pareto.Evaluated);
            Assert.NotEmpty(pareto.Entries);
            Assert.All(pareto.Entries, e =>
            {
                Assert.True(e.Metrics[MetricNames.Accuracy] is > 0 and <= 1);
                Assert.True(e.Metrics[MetricNames.Macs] > 0);
                Assert.Contains(cluster.Silos, s => s.Owns(e.Silo));
            });

            // The real prunercluster process: stdout is exactly the JSON (client logs go to stderr), so it pipes into jq.
            var (code, stdout, stderr) = await RunCliProcessAsync(["pareto", id, "--json", .. connection, "--connect-timeout", "90"], deadline.Token);
            Assert.True(code == 0, $"prunercluster pareto exited {code}: {stderr}");
            var piped = JsonSerializer.Deserialize<ParetoSet>(stdout, SpecFile.JsonOptions)!;
            Assert.Equal(pareto.Entries.Select(e => e.MaskHash), piped.Entries.Select(e => e.MaskHash));

            var unknown = await CliAsync(["status", "no-such-experiment", .. live], deadline.Token);
            Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
            Assert.Contains("unknown experiment 'no-such-experiment'", unknown.Stderr, StringComparison.Ordinal);

            var statusOut = await CliAsync(["status", id, "--json", .. live], deadline.Token);
            Assert.Equal(0, statusOut.ExitCode);
            var status = JsonSerializer.Deserialize<ExperimentStatus>(statusOut.Stdout, SpecFile.JsonOptions)!;
            Assert.Equal(ExperimentState.Completed, status.State);
            Assert.Equal(24, status.Evaluated);
            Assert.Equal(0, status.Failed);

            var listOut = await CliAsync(["list", .. live], deadline.Token);
            Assert.Equal(0, listOut.ExitCode);
            Assert.Contains(id, listOut.Stdout, StringComparison.Ordinal);

            // Every evaluation ran on one of the two silo processes, and both of them ran some.
            await using (var client = await ClusterConnection.ConnectAsync(cluster.Gateways, cluster.ClusterId, cluster.ServiceId, deadline.Token))
            {
                var ledger = await client.Grains.GetExperiment(id).GetEvaluations();
                Assert.Equal(24, ledger.Count);
                Assert.All(ledger, r => Assert.True(r.Succeeded, r.FailureReason));
                var perSilo = cluster.Silos.Select(s => ledger.Count(r => s.Owns(r.Silo))).ToArray();
                output.WriteLine($"evaluations per silo: {string.Join(", ", perSilo)}");
                Assert.Equal(24, perSilo.Sum());
                Assert.All(perSilo, n => Assert.True(n > 0, "a silo process ran no evaluation"));
            }

            Assert.All(cluster.Silos, s => Assert.False(s.HasExited, $"silo {s.Index} exited"));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: done");

            // The gateways go away (both silo processes killed): status, pareto and submit each print one clear line on
            // stderr, no stack trace, and exit non-zero.
            await cluster.DisposeAsync();
            foreach (var args in new[] { new[] { "status", id }, ["pareto", id], ["submit", specPath] })
            {
                var gone = await RunCliProcessAsync([.. args, .. connection, "--connect-timeout", "5"], deadline.Token);
                output.WriteLine($"prunercluster {args[0]} with the gateways gone: exit {gone.ExitCode}, stderr: {gone.Stderr}");
                Assert.Equal(ExitCodes.Unavailable, gone.ExitCode);
                Assert.Equal("", gone.Stdout);
                var lines = gone.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Single(lines);
                Assert.StartsWith("error: cannot connect to the cluster at gateway port(s) " + cluster.Gateways, lines[0], StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", gone.Stderr, StringComparison.Ordinal);
                Assert.DoesNotContain("Exception", gone.Stderr, StringComparison.Ordinal);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Connecting_fails_with_a_clear_message_when_no_gateway_listens()
    {
        // Orleans' client retries a missing gateway forever; the CLI gives up after its connect timeout.
        var port = FreePorts.Take(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<CliException>(() => ClusterConnection.ConnectAsync(port, "nobody", "nobody", CancellationToken.None, TimeSpan.FromSeconds(3)));
        Assert.Contains("cannot connect", ex.Message, StringComparison.Ordinal);
        Assert.Contains(port, ex.Message, StringComparison.Ordinal);
        Assert.Contains("within 3 s", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"gave up only after {clock.Elapsed}");
        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
    }

    [Fact]
    public async Task Status_pareto_and_submit_without_a_gateway_print_one_line_and_exit_3()
    {
        var port = FreePorts.Take(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var args in new[] { new[] { "status", "exp-1" }, ["pareto", "exp-1"], ["submit", TestPaths.ExampleSpec], ["watch", "exp-1"] })
        {
            var result = await CliAsync([.. args, "--gateway", port, "--connect-timeout", "2"], CancellationToken.None);
            Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
            Assert.Equal("", result.Stdout);
            var line = Assert.Single(result.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"gateway port(s) {port}", line, StringComparison.Ordinal);
            Assert.Contains("check that the cluster's silos are running", line, StringComparison.Ordinal);

            // --verbose adds the detail (the exception) below the same first line.
            var verbose = await CliAsync([.. args, "--gateway", port, "--connect-timeout", "2", "--verbose"], CancellationToken.None);
            Assert.Equal(ExitCodes.Unavailable, verbose.ExitCode);
            Assert.StartsWith($"error: cannot connect to the cluster at gateway port(s) {port}", verbose.Stderr, StringComparison.Ordinal);
            Assert.True(verbose.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Length > 1, "--verbose adds the detail");
            Assert.Contains("CliException", verbose.Stderr, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(string[] args, CancellationToken cancellationToken)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, IsTerminal: false);
        var code = await CliApp.InvokeAsync(CliCommands.CreateRoot(console), args, console, cancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Cancelling_a_connection_attempt_is_a_cancellation_not_an_error()
    {
        var port = FreePorts.Take(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ClusterConnection.ConnectAsync(port, "nobody", "nobody", cancel.Token, TimeSpan.FromMinutes(1)));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunCliProcessAsync(IEnumerable<string> args, CancellationToken cancellationToken) =>
        CliProcess.RunAsync(args, null, cancellationToken);

    /// <summary>
    /// Silo metadata (slot counts) reaches the scheduler asynchronously after a silo joins: wait until it offers leases on
    /// every silo (its counts include the evaluations queued ahead per slot, so only the silo count is compared).
    /// </summary>
    private static async Task WaitForSiloLeasesAsync(IGrainFactory grains, int silos, TimeSpan timeout)
    {
        var scheduler = grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = await scheduler.GetSnapshot();
            if (snapshot.SlotsBySilo.Count(kv => kv.Value > 0) == silos)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The scheduler saw leases on {string.Join(", ", snapshot.SlotsBySilo.Select(kv => $"{kv.Key}={kv.Value}"))}, expected {silos} silos, after {timeout}.");
            }

            await Task.Delay(100);
        }
    }
}
