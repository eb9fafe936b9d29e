using System.Diagnostics;
using System.Text.Json;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Hosting;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;
using static PrunerCluster.Engine.Tests.Helm.YamlPaths;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// The chart's own output as pods: helm/prunercluster rendered for a small CPU cluster (trial PostgreSQL, two silos, the
/// schema-init and submit Jobs), translated by <see cref="KubePlayTranslation"/> into what podman 4.3 runs, and run with
/// <c>podman kube play --network NET</c> on the images cluster/scripts/build-images.sh builds. Probes are called from the
/// host on the pod IP (podman runs no httpGet probe here), a silo is killed mid-run and another stopped.
/// Needs root and podman (cluster/scripts/install-prerequisites.sh); always tears the pods, secrets and network down.
/// </summary>
[Trait("Category", "Container")]
public sealed class ChartUnderKubePlayTests(ITestOutputHelper output)
{
    private const int Evaluations = 48;
    private const string Experiment = "kube-play";

    private static readonly string Spec = $$"""
        {
          "name": "{{Experiment}}",
          "backend": "synthetic",
          "model": "vgg",
          "dataset": "synthetic",
          "search": { "populationSize": 8, "seed": 11 },
          "budget": { "maxEvaluations": {{Evaluations}} },
          "synthetic": { "duration": "00:00:02", "segmentBits": [8, 8, 16], "salt": "kube-play" }
        }
        """;

    [Fact]
    public async Task The_charts_pods_run_under_podman_kube_play_finish_an_experiment_through_a_silo_kill_and_drain_on_stop()
    {
        var clock = Stopwatch.StartNew();
        var values = ChartRenderer.LoadValues();
        ChartRenderer.Lookup(values, ".image.tag", out var tagNode);
        var tag = ((YamlScalarNode)tagNode).Value!;
        await ContainerImages.EnsureAsync(tag, output);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: images ready");

        foreach (var (key, value) in SmallCpuCluster())
        {
            ChartRenderer.Set(values, key, value);
        }

        ChartRenderer.Set(values, ".silo.resources", YamlValue("{ requests: { cpu: 250m, memory: 512Mi }, limits: { cpu: '2', memory: 2Gi } }"));
        ChartRenderer.Set(values, ".experiment.spec", YamlValue(Spec));

        var documents = ChartRenderer.RenderAll(values);
        PrepareForTest(documents);
        var manifest = KubePlayTranslation.Translate(documents);
        var silos = manifest.Pods.Where(p => p.Contains("-silo-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, silos.Count);
        Assert.Contains(manifest.Pods, p => p.EndsWith("-postgresql", StringComparison.Ordinal));

        var work = Directory.CreateTempSubdirectory("prunercluster-kube-play-");
        var file = Path.Combine(work.FullName, "pods.yaml");
        await File.WriteAllTextAsync(file, manifest.Yaml);
        var network = $"prunercluster-kube-play-{Environment.ProcessId}";
        await using var teardown = new KubePlayTeardown(file, manifest, network, work, output);
        try
        {
            await teardown.RemoveLeftoversAsync();
            await Podman.CheckAsync("network", "create", network);
            foreach (var (name, secret) in manifest.Secrets)
            {
                var json = Path.Combine(work.FullName, $"secret-{name}.json");
                await File.WriteAllTextAsync(json, KubePlayManifest.PodmanSecretJson(secret));
                await Podman.CheckAsync("secret", "create", name, json);
            }

            await Podman.CheckAsync("kube", "play", "--network", network, file);
            using var probes = new PodProbes(network);
            foreach (var silo in silos)
            {
                await probes.WaitReadyAsync(silo, TimeSpan.FromMinutes(4));
                Assert.Equal(200, await probes.StatusAsync(silo, SiloHttpOptions.LivenessPath));
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {silo} ready and live on {await probes.AddressAsync(silo)}");
            }

            var submit = manifest.Pods.Single(p => p.Contains("-submit-", StringComparison.Ordinal)) + "-submit";
            var id = await ExperimentIdAsync(submit, TimeSpan.FromMinutes(3));
            var watcher = $"{silos[0]}-silo";
            var victim = $"{silos[1]}-silo";
            var atKill = await WaitForStatusAsync(watcher, id, s => s.Evaluated >= 8 || s.State is ExperimentState.Completed or ExperimentState.Failed or ExperimentState.Cancelled, TimeSpan.FromMinutes(3));
            Assert.Equal(ExperimentState.Running, atKill.State);
            await Podman.CheckAsync("kill", "-s", "KILL", victim);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: killed {victim} at {atKill.Evaluated} of {Evaluations} evaluated");

            var done = await WaitForStatusAsync(watcher, id, s => s.State is ExperimentState.Completed or ExperimentState.Failed or ExperimentState.Cancelled, TimeSpan.FromMinutes(6));
            var pareto = JsonSerializer.Deserialize<ParetoSet>(await ClientAsync(watcher, "pareto", id, "--json"), SpecFile.JsonOptions)!;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {done.State}, {done.Evaluated} evaluated, {done.Failed} failed; ledger {pareto.Evaluated}");
            Assert.Equal(ExperimentState.Completed, done.State);
            Assert.Equal(Evaluations, done.Evaluated);
            Assert.Equal(0, done.Failed);
            Assert.Equal(Evaluations, pareto.Evaluated);
            Assert.Equal("0", (await WaitExitAsync(submit, TimeSpan.FromMinutes(2))).Trim());

            await MetricsThenDrainAsync(probes, silos[0], watcher, clock);
        }
        catch
        {
            await teardown.DumpLogsAsync(manifest.Pods);
            throw;
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: done");
    }

    /// <summary>Prometheus metrics from the pod, then <c>podman stop</c>: the drain shows in the silo's log and it exits 0.</summary>
    private async Task MetricsThenDrainAsync(PodProbes probes, string pod, string container, Stopwatch clock)
    {
        var metrics = await probes.GetAsync(pod, SiloHttpOptions.MetricsPath);
        Assert.Contains("prunercluster_evaluations_completed", metrics, StringComparison.Ordinal);
        Assert.Contains("prunercluster_slots_total", metrics, StringComparison.Ordinal);

        var stop = Stopwatch.StartNew();
        await Podman.CheckAsync("stop", "-t", "60", container);
        var logs = await Podman.RunAsync("logs", container);
        var log = logs.Stdout + logs.Stderr;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: podman stop {container} took {stop.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("draining:", log, StringComparison.Ordinal);
        Assert.Contains("drained in", log, StringComparison.Ordinal);
        Assert.Equal("0", (await WaitExitAsync(container, TimeSpan.FromSeconds(30))).Trim());
    }

    /// <summary>Chart values a user would set for a small CPU cluster with a trial database on these images.</summary>
    private static IEnumerable<(string Key, string Value)> SmallCpuCluster() =>
    [
        (".silo.deviceKind", "cpu"),
        (".silo.replicas", "2"),
        (".silo.slotsPerGpu", "2"),
        (".silo.torchThreads", "1"),
        (".postgresql.enabled", "true"),
        (".postgresql.image", ContainerImages.PostgreSql),
        (".postgresql.password", "kube-play-trial"),
        (".experiment.enabled", "true"),
        (".experiment.name", Experiment),
        (".image.pullPolicy", "Never"),
        (".drain.gracePeriodSeconds", "20"),
        (".drain.orleansShutdownSeconds", "15"),
    ];

    private static YamlNode YamlValue(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }

    /// <summary>What this test adds to the rendered chart: the synthetic backend on the silos (a test-only setting, never a chart value).</summary>
    private static void PrepareForTest(List<YamlMappingNode> documents)
    {
        var silo = documents.Single(d => Scalar(d, "kind") == "StatefulSet" && Scalar(d, "metadata", "name")!.EndsWith("-silo", StringComparison.Ordinal));
        var container = (YamlMappingNode)Sequence(Node(silo, "spec", "template", "spec")!, "containers").Single();
        ((YamlSequenceNode)Node(container, "env")!).Add(new YamlMappingNode
        {
            { "name", "PrunerCluster__Cluster__" + nameof(ClusterHostingOptions.EnableSyntheticBackend) },
            { "value", new YamlScalarNode("true") { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted } },
        });
    }

    /// <summary>The submit Job prints the experiment id as its first line.</summary>
    private async Task<string> ExperimentIdAsync(string container, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var logs = await Podman.RunAsync("logs", container);
            var first = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
            if (first is not null && first.StartsWith(Experiment, StringComparison.Ordinal))
            {
                output.WriteLine($"submitted {first}");
                return first;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        throw new TimeoutException($"the submit Job printed no experiment id within {timeout.TotalSeconds:F0} s");
    }

    private async Task<ExperimentStatus> WaitForStatusAsync(string container, string id, Func<ExperimentStatus, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        ExperimentStatus? last = null;
        var unanswered = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = JsonSerializer.Deserialize<ExperimentStatus>(await ClientAsync(container, "status", id, "--json"), SpecFile.JsonOptions)!;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("exited 3:", StringComparison.Ordinal))
            {
                // Exit 3: the cluster did not answer, as while the killed silo's grains move to the live one.
                output.WriteLine($"status unanswered ({++unanswered}): {ex.Message.Split('\n')[0]}");
                await Task.Delay(TimeSpan.FromSeconds(2));
                continue;
            }

            if (until(last))
            {
                return last;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"experiment {id} still {last?.State} with {last?.Evaluated} evaluated after {timeout.TotalSeconds:F0} s");
    }

    /// <summary>The CLI inside a silo container, finding the gateways through PostgreSQL as the submit Job does.</summary>
    private static async Task<string> ClientAsync(string container, params string[] args)
    {
        var cs = await Podman.CheckAsync("exec", container, "printenv", KubernetesEnvironment.DatabaseConnectionString);
        return await Podman.CheckAsync(["exec", "-e", $"{PrunerCluster.Storage.Postgres.PostgresOptions.EnvironmentVariable}={cs.Trim()}", container, "/app/prunercluster", .. args, "--connect-timeout", "60"]);
    }

    private static async Task<string> WaitExitAsync(string container, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var state = await Podman.CheckAsync("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container);
            var parts = state.Trim().Split(' ');
            if (parts[0] is "exited" or "stopped")
            {
                return parts[1];
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"{container} still running after {timeout.TotalSeconds:F0} s");
    }
}
