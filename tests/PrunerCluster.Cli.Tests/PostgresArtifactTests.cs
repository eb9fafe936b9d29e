using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Artifacts through PostgreSQL with real processes: two postgres-mode silos with their own checkpoint and artifact caches
/// (different roots, no shared directory; PostgreSQL is the only thing they share) run a real TorchSharp search on a tiny
/// LeNet-5; the silo that did not prepare the baseline evaluates from the checkpoint it fetched; then the CLI, a third process
/// with an empty cache, exports a Pareto member from the stored weights and reproduces its reported accuracy exactly.
/// </summary>
[Collection(PostgresClusterCollection.Name)]
[Trait("Category", "Database")]
public sealed class PostgresArtifactTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan SiloStart = TimeSpan.FromSeconds(120);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prunercluster-pg-artifacts-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Two_silos_without_a_shared_directory_search_for_real_and_a_third_process_exports_a_member_with_its_reported_accuracy()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        var caches = new[] { Path.Combine(_root, "silo-0"), Path.Combine(_root, "silo-1") };
        await using var cluster = await SiloProcesses.StartPostgresAsync(2, slotsPerSilo: 1, db, SiloStart, p =>
        [
            "--PrunerCluster:TorchSharp:CheckpointCacheDirectory=" + caches[p.Index],
            "--PrunerCluster:TorchSharp:Threads=1",
            "--Logging:LogLevel:PrunerCluster.Silo=Information",
        ]);
        try
        {
            await using var client = await ClusterConnection.ConnectAsync(ClusterConnection.PostgresGateways(db), cluster.ClusterId, cluster.ServiceId, CancellationToken.None, TimeSpan.FromSeconds(60));
            const int budget = 6;
            var submitted = await client.Grains.SubmitExperimentAsync(Spec(budget));
            Assert.True(submitted.Accepted, string.Join("; ", submitted.Errors));
            var id = submitted.ExperimentId!;
            var experiment = client.Grains.GetExperiment(id);
            var clock = Stopwatch.StartNew();
            ExperimentStatus status;
            while (!(status = await experiment.GetStatus()).State.IsTerminal())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10), $"the search did not finish: {status.State}, {status.Evaluated} evaluated, {status.InFlight} in flight; {string.Join("; ", status.Errors)}");
                await Task.Delay(500);
            }

            output.WriteLine($"search: {status.State}, {status.Evaluated} evaluated, {status.Failed} failed in {clock.Elapsed.TotalSeconds:F0} s; {string.Join("; ", status.Errors)}");
            Assert.Equal(ExperimentState.Completed, status.State);
            Assert.Equal(budget, status.Evaluated);

            // Final recovery ran on the silos after the search: the unpruned model and one member, scored on the test set.
            var final = await experiment.GetFinalRecovery();
            Assert.NotNull(final);
            Assert.True(final.Unpruned.Succeeded, final.Unpruned.FailureReason);
            var finalMember = Assert.Single(final.Members);
            Assert.True(finalMember.Succeeded, finalMember.FailureReason);
            Assert.True(finalMember.Metrics.ContainsKey(MetricNames.LatencyMs));
            Assert.Null(finalMember.ExportDirectory);

            // A client attaching to the finished experiment writes the same run directory and final table as an embedded search.
            var watchedRuns = Path.Combine(_root, "watched");
            var watch = await RunCliAsync(
                ["watch", id, "--plain", "--out", watchedRuns, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId, "--connect-timeout", "90"],
                new Dictionary<string, string> { ["PRUNERCLUSTER_GATEWAY"] = ClusterConnection.PostgresGateways(db) });
            output.WriteLine($"watch exited {watch.ExitCode}:{Environment.NewLine}{watch.Stdout}{Environment.NewLine}{watch.Stderr}");
            Assert.Equal(0, watch.ExitCode);
            Assert.Contains("after final recovery (4 steps, test set", watch.Stdout, StringComparison.Ordinal);
            var watched = FinalRecoveryReport.Read(Path.Combine(watchedRuns, PathSegment.Safe(id)));
            Assert.NotNull(watched);
            Assert.Equal(finalMember.MaskHash, Assert.Single(watched.Members).MaskHash);
            Assert.Equal(finalMember.Metrics[MetricNames.Accuracy], watched.Members[0].Metrics[MetricNames.Accuracy]);
            Assert.True(File.Exists(Path.Combine(watchedRuns, PathSegment.Safe(id), RunDirectory.ReportFileName)));

            // One silo trained the baseline; the other never did: it fetched the checkpoint into its own cache and evaluated from it.
            var trainers = cluster.Silos.Where(s => s.Output().Contains("baseline: training lenet5", StringComparison.Ordinal)).ToList();
            var preparer = Assert.Single(trainers);
            var other = cluster.Silos.Single(s => s != preparer);
            var ledger = await experiment.GetEvaluations();
            foreach (var record in ledger)
            {
                output.WriteLine($"#{record.CandidateId} on {record.Silo}: ok={record.Succeeded} {record.FailureReason}");
            }

            Assert.Contains(ledger, r => other.Owns(r.Silo) && r.Succeeded);
            var trained = Assert.Single(Directory.EnumerateFiles(caches[preparer.Index], "lenet5-fashion-mnist-*.bin"));
            var checkpointHash = Sha256(trained);
            Assert.Contains($"Baseline checkpoint {checkpointHash} fetched from the artifact store", other.Output(), StringComparison.Ordinal);
            var fetched = Path.Combine(caches[other.Index], "fetched", checkpointHash + ".bin");
            Assert.True(File.Exists(fetched), $"silo {other.Index} has no fetched checkpoint at {fetched}");
            Assert.Equal(checkpointHash, Sha256(fetched));
            Assert.Empty(Directory.EnumerateFiles(caches[other.Index], "lenet5-fashion-mnist-*.bin"));

            // The other silo's fine-tuned weights reached its own artifact cache and PostgreSQL.
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(caches[other.Index], "artifacts", "blobs"), "*", SearchOption.AllDirectories));

            // A third process with an empty cache exports the most accurate Pareto member from the stored weights: no training.
            var pareto = await experiment.GetParetoSet();
            Assert.NotEmpty(pareto.Entries);
            var cliCache = Path.Combine(_root, "cli-cache");
            var exportDir = Path.Combine(_root, "export");
            var (code, stdout, stderr) = await RunCliAsync(
                ["export", id, "--pick", "highest accuracy", "--out", exportDir, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId, "--connect-timeout", "90"],
                new Dictionary<string, string> { ["PRUNERCLUSTER_GATEWAY"] = ClusterConnection.PostgresGateways(db), ["XDG_CACHE_HOME"] = cliCache });
            output.WriteLine($"export exited {code}:{Environment.NewLine}{stdout}{Environment.NewLine}{stderr}");
            Assert.Equal(0, code);
            Assert.Contains($"baseline checkpoint {checkpointHash[..12]}: fetched from the artifact store", stdout, StringComparison.Ordinal);
            Assert.Contains("exported from stored fine-tuned weights", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("re-runs its fine-tuning", stdout, StringComparison.Ordinal);
            Assert.StartsWith(cliCache, Directory.EnumerateFiles(cliCache, "lenet5-fashion-mnist-*.bin", SearchOption.AllDirectories).Single(), StringComparison.Ordinal);

            var card = ModelCard.FromJson(await File.ReadAllTextAsync(Path.Combine(exportDir, ModelExporter.CardFileName)));
            using var member = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(exportDir, HtmlReport.MemberFileName)));
            var maskHash = member.RootElement.GetProperty("maskHash").GetString();
            var entry = pareto.Entries.Single(e => e.MaskHash == maskHash);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"member {maskHash![..12]} (evaluated on {entry.Silo}): reported accuracy {entry.Metrics[MetricNames.Accuracy]:R}, exported {card.Metrics[MetricNames.Accuracy]:R}"));
            Assert.Equal(entry.Metrics[MetricNames.Accuracy], card.Metrics[MetricNames.Accuracy]);
            Assert.True(card.Metrics[MetricNames.Accuracy] > 0.25, "the member compared is no better than chance, so equal accuracies would prove little");
            Assert.Equal(checkpointHash, card.SourceCheckpointHash);
            var testSamples = (int)card.Metrics["test_samples"];
            Assert.True(testSamples > 0);

            // The newcomer's last step: the reloaded export reproduces the test accuracy on its card.
            var verify = await RunCliAsync(["verify", exportDir], new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cliCache });
            output.WriteLine($"verify exited {verify.ExitCode}:{Environment.NewLine}{verify.Stdout}{Environment.NewLine}{verify.Stderr}");
            Assert.Equal(0, verify.ExitCode);
            Assert.Contains("verified: the reloaded model reproduces its reported accuracy", verify.Stdout, StringComparison.Ordinal);
            Assert.Contains($"on {testSamples} samples", verify.Stdout, StringComparison.Ordinal);

            // Final recovery of the cluster's experiment on this machine: written to a run directory, then exported from it.
            var runDir = Path.Combine(_root, "recovered-run");
            var recover = await RunCliAsync(
                ["recover", id, "--final-recovery", "4", "--final-members", "1", "--out", runDir, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId, "--connect-timeout", "90"],
                new Dictionary<string, string> { ["PRUNERCLUSTER_GATEWAY"] = ClusterConnection.PostgresGateways(db), ["XDG_CACHE_HOME"] = cliCache });
            output.WriteLine($"recover exited {recover.ExitCode}:{Environment.NewLine}{recover.Stdout}{Environment.NewLine}{recover.Stderr}");
            Assert.Equal(0, recover.ExitCode);
            Assert.Contains("after final recovery (4 steps, test set", recover.Stdout, StringComparison.Ordinal);
            var recoveredMember = Assert.Single(FinalRecoveryReport.Read(runDir)!.Members);
            Assert.True(recoveredMember.Succeeded, recoveredMember.FailureReason);
            var recoveredRank = ParetoReport.Ordered(RunDirectory.ReadPareto(Path.Combine(runDir, RunDirectory.ParetoJsonFileName)))
                .Select((e, i) => (e, i)).Single(p => p.e.MaskHash == recoveredMember.MaskHash).i + 1;
            var finalExport = await RunCliAsync(["export", runDir, "--pick", recoveredRank.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cliCache });
            output.WriteLine($"export of the recovered member exited {finalExport.ExitCode}:{Environment.NewLine}{finalExport.Stdout}{Environment.NewLine}{finalExport.Stderr}");
            Assert.Equal(0, finalExport.ExitCode);
            Assert.Contains("the model final recovery retrained", finalExport.Stdout, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static ExperimentSpec Spec(int budget) => new()
    {
        Name = "pg-artifacts-lenet5",
        Backend = TorchSharpEvaluationBackend.BackendName,
        Model = "lenet5",
        Dataset = DatasetCatalog.FashionMnist,
        Baseline = new BaselineSettings { Epochs = 1, Seed = 1, MaxTrainSamples = 2048, MaxTestSamples = 256 },
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 4, Seed = 5 },
        Budget = new BudgetSettings { MaxEvaluations = budget, WallClock = TimeSpan.FromMinutes(8) },
        FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 4, MaxMembers = 1 },
        Evaluation = new EvaluationSettingsSpec
        {
            FineTuneSteps = 4,
            BatchSize = 32,
            ValidationSamples = 128,
            LatencyBatchSize = 8,
            LatencyRuns = 2,
            LatencyMaxRuns = 2,
            LatencyWarmup = 1,
            Threads = 1,

            // No distillation: its teacher logits cover the whole training split (tens of seconds in each silo process before
            // its first evaluation), and this test is about where checkpoints and weights travel, not how fine-tuning learns.
            DistillationWeight = 0,
        },
    };

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        return await CliProcess.RunAsync(args, new Dictionary<string, string>(environment) { ["OMP_NUM_THREADS"] = "1" }, timeout.Token);
    }
}
