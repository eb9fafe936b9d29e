using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Telemetry;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Real silo processes operated like pods: the HTTP endpoint (Prometheus metrics, health, dashboard) scraped during a
/// synthetic search, readiness turning off while a SIGTERM'd silo drains, and a rolling-update style SIGTERM of one of
/// three silos mid-search that loses no evaluation and re-issues its queued ones at once; a kill -9 of one of three
/// silos mid-search that loses nothing either.
/// Localhost clustering (membership in the primary, memory storage): the victim is never the primary nor the
/// coordinator's silo. The drain itself talks only to the scheduler grain and the local slot executor, so it is the same
/// with a database-backed cluster.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class SiloOperationsTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_silo_serves_metrics_health_and_dashboard_and_turns_unready_while_it_drains_on_sigterm()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var cluster = await SiloProcesses.StartAsync(1, slotsPerSilo: 2, TimeSpan.FromSeconds(90), p => HttpArgs(p, dashboard: true));
        var silo = cluster.Silos[0];
        try
        {
            // Before: live and ready, the checks named in the body.
            await WaitForStatusAsync(silo, SiloHttpOptions.ReadinessPath, HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            var (liveCode, liveBody) = await GetAsync(silo, SiloHttpOptions.LivenessPath);
            Assert.Equal(HttpStatusCode.OK, liveCode);
            Assert.Contains("slots-live", liveBody, StringComparison.Ordinal);
            var (_, readyBody) = await GetAsync(silo, SiloHttpOptions.ReadinessPath);
            foreach (var check in new[] { "membership", "storage", "slots" })
            {
                Assert.Contains($"\"{check}\"", readyBody, StringComparison.Ordinal);
            }

            var (dashboardCode, dashboardBody) = await GetAsync(silo, SiloHttpOptions.DashboardPath + "/");
            Assert.Equal(HttpStatusCode.OK, dashboardCode);
            Assert.Contains("<html", dashboardBody, StringComparison.OrdinalIgnoreCase);

            await using var client = await ClusterConnection.ConnectAsync(cluster.Gateways, cluster.ClusterId, cluster.ServiceId, deadline.Token);
            var submitted = await client.Grains.SubmitExperimentAsync(Spec("scraped", durationMs: 3000, budget: 40));
            Assert.True(submitted.Accepted, string.Join("; ", submitted.Errors));
            var id = submitted.ExperimentId!;
            var experiment = client.Grains.GetExperiment(id);
            await WaitUntilAsync(async () => (await experiment.GetStatus()).Evaluated >= 2, TimeSpan.FromSeconds(90));

            // During the search: slot, evaluation and experiment series with non-zero values.
            var metrics = await ScrapeUntilAsync(silo, m => Value(m, T(PrunerClusterTelemetry.SlotsBusy)) > 0, TimeSpan.FromSeconds(30));
            Assert.Equal(2, Value(metrics, T(PrunerClusterTelemetry.SlotsTotal), ("prunercluster_device", "cpu")));
            Assert.True(Value(metrics, T(PrunerClusterTelemetry.EvaluationsStarted) + "_total") > 0);
            Assert.True(Value(metrics, T(PrunerClusterTelemetry.EvaluationsCompleted) + "_total", ("prunercluster_experiment_id", id)) >= 2);
            Assert.True(Value(metrics, T(PrunerClusterTelemetry.EvaluationDuration) + "_seconds_count", ("prunercluster_phase", "fine_tune")) >= 2);
            Assert.True(Value(metrics, T(PrunerClusterTelemetry.ExperimentInFlight), ("prunercluster_experiment_id", id)) > 0);
            Assert.Contains(metrics, m => m.Name.StartsWith("orleans_", StringComparison.Ordinal));

            // Drain: SIGTERM while evaluations run; readiness fails at once, liveness holds, the process exits cleanly.
            var clock = Stopwatch.StartNew();
            silo.Terminate();
            var unready = await WaitForStatusAsync(silo, SiloHttpOptions.ReadinessPath, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s after SIGTERM: ready -> 503: {unready}");
            Assert.Contains("draining", unready, StringComparison.Ordinal);
            var (liveDuringDrain, _) = await GetAsync(silo, SiloHttpOptions.LivenessPath);
            Assert.Equal(HttpStatusCode.OK, liveDuringDrain);

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await silo.WaitForExitAsync(exit.Token);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s after SIGTERM: exited with {silo.ExitCode}");
            Assert.Equal(0, silo.ExitCode);
            Assert.Matches(DrainedLine(), silo.Output());
            await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(new Uri(silo.HttpBase, SiloHttpOptions.LivenessPath)));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Sigterm_to_one_of_three_silos_mid_search_loses_nothing_and_reissues_its_queued_evaluations_at_once()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        const int budget = 40;
        await using var cluster = await SiloProcesses.StartAsync(3, slotsPerSilo: 2, TimeSpan.FromSeconds(90), p => [.. HttpArgs(p, dashboard: false), "--PrunerCluster:QueuedPerSlot=2"]);
        try
        {
            await using var client = await ConnectThroughPrimaryAsync(cluster, deadline.Token);
            var experiment = await SubmitAsync(client, Spec("rolling-update", durationMs: 2500, budget: budget));
            await WaitUntilAsync(async () => (await experiment.GetStatus()).Evaluated >= 8, TimeSpan.FromSeconds(120));
            var before = await experiment.GetStatus();
            var victim = cluster.Silos.Skip(1).First(s => !s.Owns(before.CoordinatorSilo));
            output.WriteLine($"coordinator on {before.CoordinatorSilo}; victim silo {victim.Index} (port {victim.SiloPort}) at {before.Evaluated} evaluated, {before.Reissued} re-issued");

            // SIGTERM when the victim has evaluations waiting in its slot queue (they must come back, not wait for a timeout).
            await ScrapeUntilAsync(victim, m => Value(m, T(PrunerClusterTelemetry.SlotQueueLength)) >= 2, TimeSpan.FromSeconds(60));
            var reissuedBefore = (await experiment.GetStatus()).Reissued;
            var clock = Stopwatch.StartNew();
            victim.Terminate();
            TimeSpan? reissuedAfter = null;
            while (reissuedAfter is null && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if ((await experiment.GetStatus()).Reissued > reissuedBefore)
                {
                    reissuedAfter = clock.Elapsed;
                }
                else
                {
                    await Task.Delay(20);
                }
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await victim.WaitForExitAsync(exit.Token);
            var exited = clock.Elapsed;
            var handedBack = int.Parse(HandedBackLine().Match(victim.Output()).Groups[1].Value, CultureInfo.InvariantCulture);
            output.WriteLine($"SIGTERM -> first re-issue {reissuedAfter?.TotalSeconds:F2} s; -> victim exited ({victim.ExitCode}) {exited.TotalSeconds:F2} s; handed back {handedBack}");

            var status = await WaitForFinalAsync(experiment, TimeSpan.FromSeconds(180));
            output.WriteLine($"final: {status.State}, {status.Evaluated} evaluated, {status.Failed} failed, {status.Reissued} re-issued, {status.InFlight} in flight");
            await AssertCompletedWithNothingLostAsync(experiment, status, budget);

            Assert.Equal(0, victim.ExitCode);
            Assert.True(handedBack > 0, "the victim had queued evaluations but handed none back");
            Assert.NotNull(reissuedAfter);

            // Immediately: far below Orleans' failure detection (probes 5 s x 3) and the coordinator's 30 s lease.
            Assert.True(reissuedAfter < TimeSpan.FromSeconds(10), $"first re-issue only {reissuedAfter} after SIGTERM");
            Assert.All(cluster.Silos.Where(s => s != victim), s => Assert.False(s.HasExited, $"silo {s.Index} exited"));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Kill_9_of_one_of_three_silos_mid_search_loses_nothing()
    {
        // Localhost mode keeps its grain directory in the silos (Orleans' distributed directory): the range the victim
        // held is recovered only after membership declares it dead, so calls into it stall meanwhile. The search must
        // still finish its budget with every candidate evaluated and none failed.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        // Failure detection tuned as in the postgres-mode tests (the victim is declared dead within seconds instead of
        // Orleans' 5 s x 3 probes): the same recovery path, taken sooner. This test asserts no timing.
        const int budget = 30;
        await using var cluster = await SiloProcesses.StartAsync(3, slotsPerSilo: 2, TimeSpan.FromSeconds(90), p => [.. HttpArgs(p, dashboard: false), .. SiloProcesses.FastMembership]);
        try
        {
            await using var client = await ConnectThroughPrimaryAsync(cluster, deadline.Token);
            var experiment = await SubmitAsync(client, Spec("kill-localhost", durationMs: 1500, budget: budget));
            await WaitUntilAsync(async () => (await experiment.GetStatus()) is { Evaluated: >= 6, InFlight: >= 4 }, TimeSpan.FromSeconds(120));
            var before = await experiment.GetStatus();
            var victim = cluster.Silos.Skip(1).First(s => !s.Owns(before.CoordinatorSilo));
            output.WriteLine($"coordinator on {before.CoordinatorSilo}; kill -9 of silo {victim.Index} (port {victim.SiloPort}) at {before.Evaluated} evaluated, {before.InFlight} in flight");
            var clock = Stopwatch.StartNew();
            await victim.KillAsync();

            var status = await WaitForFinalAsync(experiment, TimeSpan.FromSeconds(240));
            output.WriteLine($"final {clock.Elapsed.TotalSeconds:F1} s after the kill: {status.State}, {status.Evaluated} evaluated, {status.Failed} failed, {status.Reissued} re-issued, {status.InFlight} in flight");
            await AssertCompletedWithNothingLostAsync(experiment, status, budget);
            Assert.All(cluster.Silos.Where(s => s != victim), s => Assert.False(s.HasExited, $"silo {s.Index} exited"));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    /// <summary>
    /// A client on the primary's gateway only (a victim's gateway closing is no concern of it), returned once the
    /// scheduler sees every silo's slots.
    /// </summary>
    private static async Task<ClusterConnection> ConnectThroughPrimaryAsync(SiloProcesses cluster, CancellationToken ct)
    {
        var primaryGateway = cluster.Silos[0].GatewayPort.ToString(CultureInfo.InvariantCulture);
        var client = await ClusterConnection.ConnectAsync(primaryGateway, cluster.ClusterId, cluster.ServiceId, ct);
        try
        {
            var scheduler = client.Grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
            await WaitUntilAsync(async () => (await scheduler.GetSnapshot()).SlotsBySilo.Count == cluster.Silos.Count, TimeSpan.FromSeconds(60));
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The whole budget evaluated, each candidate once, none failed, nothing left in flight.</summary>
    private static async Task AssertCompletedWithNothingLostAsync(IPopulationCoordinatorGrain experiment, ExperimentStatus status, int budget)
    {
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(budget, status.Evaluated);
        Assert.Equal(0, status.Failed);
        Assert.Equal(0, status.InFlight);
        var ledger = await experiment.GetEvaluations();
        Assert.Equal(budget, ledger.Select(r => r.CandidateId).Distinct().Count());
        Assert.All(ledger, r => Assert.True(r.Succeeded, r.FailureReason));
    }

    private static async Task<IPopulationCoordinatorGrain> SubmitAsync(ClusterConnection client, ExperimentSpec spec)
    {
        var submitted = await client.Grains.SubmitExperimentAsync(spec);
        Assert.True(submitted.Accepted, string.Join("; ", submitted.Errors));
        return client.Grains.GetExperiment(submitted.ExperimentId!);
    }

    internal static ExperimentSpec Spec(string name, int durationMs, int budget) => new()
    {
        Name = name,
        Backend = "synthetic",
        Model = "vgg",
        Dataset = "synthetic",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 8, Mode = SearchMode.SteadyState, Seed = 3 },
        Budget = new BudgetSettings { MaxEvaluations = budget },
        Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(durationMs), SegmentBits = [8, 8, 16], Salt = name + Guid.NewGuid().ToString("N") },
    };

    internal static IEnumerable<string> HttpArgs(SiloProcess.Ports ports, bool dashboard) =>
    [
        string.Create(CultureInfo.InvariantCulture, $"--{SiloHttpOptions.SectionName}:Port={ports.HttpPort}"),
        $"--{SiloHttpOptions.SectionName}:BindAddress=127.0.0.1",
        $"--{SiloHttpOptions.SectionName}:Dashboard={dashboard}",
        $"--{DrainOptions.SectionName}:GracePeriodSeconds=60",
    ];

    /// <summary>Prometheus name of an OpenTelemetry instrument (dots become underscores; suffixes are added by the caller).</summary>
    internal static string T(string instrument) => instrument.Replace('.', '_');

    private static async Task<(HttpStatusCode Code, string Body)> GetAsync(SiloProcess silo, string path)
    {
        using var response = await Http.GetAsync(new Uri(silo.HttpBase, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> WaitForStatusAsync(SiloProcess silo, string path, HttpStatusCode wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (code, body) = await GetAsync(silo, path);
                if (code == wanted)
                {
                    return body;
                }

                last = $"{(int)code}: {body}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{path} on silo {silo.Index} did not answer {(int)wanted} within {timeout}; last: {last}");
    }

    internal static async Task<List<Sample>> ScrapeUntilAsync(SiloProcess silo, Func<List<Sample>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (code, body) = await GetAsync(silo, SiloHttpOptions.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, code);
            var samples = Parse(body);
            if (condition(samples))
            {
                return samples;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/metrics of silo {silo.Index} never met the condition:{Environment.NewLine}{body}");
            }

            await Task.Delay(100);
        }
    }

    internal sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static List<Sample> Parse(string exposition)
    {
        var samples = new List<Sample>();
        foreach (var line in exposition.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            var text = match.Groups["value"].Value;
            var value = text switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(text, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    /// <summary>Sum of the samples named <paramref name="name"/> whose labels include every given pair.</summary>
    internal static double Value(List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    internal static async Task<ExperimentStatus> WaitForFinalAsync(IPopulationCoordinatorGrain experiment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await experiment.GetStatus();
            if (status.State.IsTerminal() || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();

    [GeneratedRegex(@"drained in \d+(\.\d+)? s")]
    private static partial Regex DrainedLine();

    [GeneratedRegex(@"draining: (\d+) queued evaluation")]
    internal static partial Regex HandedBackLine();
}
