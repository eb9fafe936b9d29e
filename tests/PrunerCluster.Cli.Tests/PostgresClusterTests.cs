using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Real silo processes in postgres mode on a real private PostgreSQL server: silos killed with SIGKILL (each kind in turn),
/// the whole cluster killed and started again, PostgreSQL stopped mid-search. Two concurrent synthetic experiments.
/// </summary>
[Collection(PostgresClusterCollection.Name)]
[Trait("Category", "Database")]
public sealed class PostgresClusterTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Budget = 40;
    private static readonly TimeSpan SiloStart = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan SearchTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Killing_each_kind_of_silo_in_turn_loses_no_evaluation_reruns_none_that_completed_and_keeps_the_pareto_set()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await using var cluster = await SiloProcesses.StartPostgresAsync(3, slotsPerSilo: 2, db, SiloStart);
        try
        {
            await using var client = await ConnectAsync(cluster, db);

            // Uninterrupted reference runs of both experiments (generational: the Pareto set depends only on the seed).
            var reference = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var ids = await SubmitPairAsync(client, "r0");
            foreach (var (name, id) in ids)
            {
                var status = await WaitAsync(client, id);
                Assert.Equal(ExperimentState.Completed, status.State);
                reference[name] = Canonical(await client.Grains.GetExperiment(id).GetParetoSet());
            }

            string[] victims = ["first-started", "coordinator-host", "other"];
            for (var round = 1; round <= victims.Length; round++)
            {
                ids = await SubmitPairAsync(client, "r" + round.ToString(CultureInfo.InvariantCulture));
                await WaitUntilAsync(client, ids.Values, s => s.Evaluated >= Budget / 3);
                var statuses = await StatusesAsync(client, ids.Values);
                var coordinators = statuses.Select(s => s.CoordinatorSilo).ToHashSet(StringComparer.Ordinal);
                var alive = cluster.Alive.ToList();
                var victim = victims[round - 1] switch
                {
                    "first-started" => alive[0],
                    "coordinator-host" => alive.First(s => coordinators.Any(s.Owns)),
                    _ => alive.FirstOrDefault(s => !coordinators.Any(s.Owns)) ?? alive[^1],
                };

                var done = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
                foreach (var id in ids.Values)
                {
                    done[id] = (await client.Grains.GetExperiment(id).GetEvaluations()).Select(r => r.CandidateId).ToHashSet();
                }

                var reissuedBefore = statuses.Sum(s => s.Reissued);
                var hostsCoordinator = coordinators.Any(victim.Owns);
                output.WriteLine($"round {round} ({victims[round - 1]}): kill -9 silo {victim.Index} (pid {victim.ProcessId}, coordinator host: {hostsCoordinator}) at {string.Join(", ", statuses.Select(s => $"{s.Evaluated} done/{s.InFlight} in flight"))}");
                var clock = Stopwatch.StartNew();
                var killedAt = DateTimeOffset.UtcNow;
                await victim.KillAsync();

                // Time from the kill until the coordinators re-issue (or, for a coordinator's own silo, re-run) the lost work.
                var reissueAt = await TimeUntilAsync(client, ids.Values, s => s.Sum(x => x.Reissued) > reissuedBefore || s.Any(x => !victim.Owns(x.CoordinatorSilo) && hostsCoordinator), clock);
                output.WriteLine($"round {round}: kill -9 to re-issue {reissueAt.TotalSeconds:F1} s");

                foreach (var (name, id) in ids)
                {
                    var status = await WaitAsync(client, id);
                    Assert.Equal(ExperimentState.Completed, status.State);
                    Assert.Equal(Budget, status.Evaluated);
                    Assert.Equal(0, status.Failed);
                    var ledger = await client.Grains.GetExperiment(id).GetEvaluations();
                    Assert.Equal(Budget, ledger.Select(r => r.CandidateId).Distinct().Count());
                    Assert.Equal(Budget, ledger.Select(r => r.MaskHash).Distinct().Count());

                    // Completed before the kill: never run again. Whatever the dead silo had not finished ran again elsewhere.
                    var individuals = await IndividualsAsync(client, ledger);
                    var runs = individuals.ToDictionary(kv => kv.Key, kv => kv.Value.Runs, StringComparer.Ordinal);
                    Assert.All(ledger.Where(r => done[id].Contains(r.CandidateId)), r => Assert.Equal(1, runs[r.IndividualKey]));
                    Assert.All(ledger.Where(r => victim.Owns(r.Silo)), r => Assert.True(individuals[r.IndividualKey].Outcome!.CompletedAt <= killedAt, $"candidate {r.CandidateId} completed on the dead silo after the kill"));
                    Assert.Equal(reference[name], Canonical(await client.Grains.GetExperiment(id).GetParetoSet()));
                    output.WriteLine($"round {round} {name}: re-issued {status.Reissued}, re-runs {runs.Values.Sum() - Budget}, coordinator now {status.CoordinatorSilo}");
                }

                output.WriteLine($"round {round}: both finished {clock.Elapsed.TotalSeconds:F1} s after the kill");
                await cluster.AddSiloAsync(SiloStart);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task The_whole_cluster_killed_mid_search_resumes_every_experiment_from_postgres()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await using var cluster = await SiloProcesses.StartPostgresAsync(3, slotsPerSilo: 2, db, SiloStart);
        try
        {
            Dictionary<string, string> ids;
            int inFlightAtStop;
            await using (var client = await ConnectAsync(cluster, db))
            {
                ids = await SubmitPairAsync(client, "restart");
                await WaitUntilAsync(client, ids.Values, s => s.Evaluated >= Budget / 3);
                var statuses = await StatusesAsync(client, ids.Values);
                inFlightAtStop = statuses.Sum(s => s.InFlight);
                output.WriteLine($"killing all silos at {string.Join(", ", statuses.Select(s => $"{s.Evaluated} done/{s.InFlight} in flight"))}");
                foreach (var silo in cluster.Alive.ToList())
                {
                    await silo.KillAsync();
                }
            }

            for (var i = 0; i < 3; i++)
            {
                await cluster.AddSiloAsync(SiloStart);
            }

            await using (var client = await ConnectAsync(cluster, db))
            {
                var executions = 0;
                foreach (var id in ids.Values)
                {
                    var status = await WaitAsync(client, id);
                    Assert.Equal(ExperimentState.Completed, status.State);
                    Assert.Equal(Budget, status.Evaluated);
                    var ledger = await client.Grains.GetExperiment(id).GetEvaluations();
                    Assert.Equal(Budget, ledger.Select(r => r.CandidateId).Distinct().Count());
                    executions += (await IndividualsAsync(client, ledger)).Values.Sum(i => i.Runs);
                }

                output.WriteLine($"evaluations run: {executions} for {2 * Budget} booked, {inFlightAtStop} were in flight at the stop");
                Assert.True(executions <= (2 * Budget) + inFlightAtStop, $"{executions} evaluations ran, more than {2 * Budget} + {inFlightAtStop} in flight at the stop");
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_ten_seconds_mid_search_delays_the_search_and_corrupts_nothing()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await using var cluster = await SiloProcesses.StartPostgresAsync(2, slotsPerSilo: 2, db, SiloStart);
        try
        {
            Dictionary<string, string> ids;
            var ledgers = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var client = await ConnectAsync(cluster, db))
            {
                ids = await SubmitPairAsync(client, "outage");
                await WaitUntilAsync(client, ids.Values, s => s.Evaluated >= Budget / 4);
                output.WriteLine("stopping PostgreSQL for 10 s");
                await postgres.Server.StopServerAsync();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    var during = await StatusesAsync(client, ids.Values);
                    output.WriteLine($"during the outage: {string.Join(", ", during.Select(s => $"{s.Evaluated} done/{s.InFlight} in flight; {string.Join(" | ", s.Errors)}"))}");
                }
                finally
                {
                    await postgres.Server.StartServerAsync();
                }

                foreach (var id in ids.Values)
                {
                    var status = await WaitAsync(client, id);
                    Assert.Equal(ExperimentState.Completed, status.State);
                    Assert.Equal(Budget, status.Evaluated);
                    Assert.Equal(0, status.Failed);
                    var ledger = await client.Grains.GetExperiment(id).GetEvaluations();
                    Assert.Equal(Budget, ledger.Select(r => r.CandidateId).Distinct().Count());
                    ledgers[id] = string.Join('\n', ledger.Select(r => FormattableString.Invariant($"{r.CandidateId}|{r.MaskHash}|{r.Succeeded}")));
                }

                Assert.All(cluster.Silos, s => Assert.False(s.HasExited, $"silo {s.Index} exited during the outage"));
            }

            // What PostgreSQL holds is what the silos served: a fresh cluster reads the same ledgers.
            foreach (var silo in cluster.Alive.ToList())
            {
                await silo.KillAsync();
            }

            await cluster.AddSiloAsync(SiloStart);
            await using (var client = await ConnectAsync(cluster, db))
            {
                foreach (var id in ids.Values)
                {
                    var status = await client.Grains.GetExperiment(id).GetStatus();
                    Assert.Equal(ExperimentState.Completed, status.State);
                    var ledger = await client.Grains.GetExperiment(id).GetEvaluations();
                    Assert.Equal(ledgers[id], string.Join('\n', ledger.Select(r => FormattableString.Invariant($"{r.CandidateId}|{r.MaskHash}|{r.Succeeded}"))));
                }
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            output.WriteLine(postgres.Server.ServerLog());
            throw;
        }
    }

    [Fact]
    public async Task Submit_wait_rides_out_a_kill_9_of_its_coordinators_silo_and_ends_with_the_final_table_of_an_embedded_search()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        var work = Path.Combine(Path.GetTempPath(), "pc-wait-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        await using var cluster = await SiloProcesses.StartPostgresAsync(3, slotsPerSilo: 1, db, SiloStart);
        try
        {
            var specPath = Path.Combine(work, "spec.json");
            var spec = Spec("wait", 21, "wait-salt") with { FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 600, MaxMembers = 2 } };
            spec = spec with { Synthetic = spec.Synthetic! with { Duration = TimeSpan.FromSeconds(1) } };
            await File.WriteAllTextAsync(specPath, PrunerCluster.Client.Specs.SpecFile.Serialize(spec));
            var runs = Path.Combine(work, "runs");
            using var child = CliChild.Start(
                ["submit", specPath, "--wait", "--plain", "--out", runs, "--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId, "--connect-timeout", "90"],
                new Dictionary<string, string> { ["PRUNERCLUSTER_GATEWAY"] = ClusterConnection.PostgresGateways(db) });
            var id = (await child.WaitForLineAsync(l => l.StartsWith("wait", StringComparison.Ordinal) && !l.Contains(' ', StringComparison.Ordinal), TimeSpan.FromSeconds(120), "the experiment id")).Trim();

            await using var client = await ConnectAsync(cluster, db);
            await WaitUntilAsync(client, [id], s => s.Evaluated >= Budget / 4);
            var before = await RetryAsync(() => client.Grains.GetExperiment(id).GetStatus());
            Assert.Equal(ExperimentState.Running, before.State);
            Assert.InRange(before.Evaluated, 1, Budget - 3);
            var victim = cluster.Alive.First(s => s.Owns(before.CoordinatorSilo));
            output.WriteLine($"kill -9 of silo {victim.Index}, the coordinator's host, at {before.Evaluated} evaluated");
            await victim.KillAsync();

            var code = await child.WaitForExitAsync(SearchTimeout);
            output.WriteLine($"submit --wait exited {code}:{Environment.NewLine}{child.Stdout}{Environment.NewLine}{child.Stderr}");
            Assert.Equal(0, code);
            Assert.Contains($"experiment {id} completed: {Budget} evaluated", child.Stdout, StringComparison.Ordinal);
            Assert.Contains("after final recovery (600 steps, test set", child.Stdout, StringComparison.Ordinal);
            var final = await RetryAsync(() => client.Grains.GetExperiment(id).GetFinalRecovery());
            Assert.NotNull(final);
            Assert.Equal(2, final.Members.Count);
            var directory = Path.Combine(runs, PathSegment.Safe(id));
            var written = PrunerCluster.Client.Output.FinalRecoveryReport.Read(directory);
            Assert.NotNull(written);
            Assert.Equal(final.Members.Select(m => m.MaskHash), written.Members.Select(m => m.MaskHash));
            Assert.True(File.Exists(Path.Combine(directory, "pareto.json")));

            // Silo logs carry UTC timestamps by default, one line per entry.
            var logLines = cluster.Silos.SelectMany(silo => silo.Output().Split('\n')).Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\b(info|warn|fail|crit): ")).ToList();
            Assert.NotEmpty(logLines);
            Assert.All(logLines, l => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (info|warn|fail|crit): ", l));

            // The same spec and seed searched embedded (one process, no database) ends with the same final table. Generational
            // search: the result depends on the seed, not on the slot count, so 8 slots (a whole generation at once) only make
            // the synthetic evaluations' sleeps overlap.
            var embeddedRuns = Path.Combine(work, "embedded");
            using var timeout = new CancellationTokenSource(SearchTimeout);
            var embedded = await CliProcess.RunAsync(["search", specPath, "--slots", "8", "--plain", "--out", embeddedRuns], new Dictionary<string, string> { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true" }, timeout.Token);
            output.WriteLine($"embedded search exited {embedded.ExitCode}:{Environment.NewLine}{embedded.Stdout}{Environment.NewLine}{embedded.Stderr}");
            Assert.Equal(0, embedded.ExitCode);
            var embeddedFinal = PrunerCluster.Client.Output.FinalRecoveryReport.Read(Assert.Single(Directory.GetDirectories(embeddedRuns)));
            Assert.NotNull(embeddedFinal);
            Assert.Equal(written.Members.Select(m => (m.Label, m.MaskHash)), embeddedFinal.Members.Select(m => (m.Label, m.MaskHash)));
            Assert.Equal(written.Members.Select(m => m.Metrics[MetricNames.Accuracy]), embeddedFinal.Members.Select(m => m.Metrics[MetricNames.Accuracy]));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static ExperimentSpec Spec(string name, ulong seed, string salt) => new()
    {
        Name = name,
        Backend = "synthetic",
        Model = "vgg",
        Dataset = "synthetic",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 8, Mode = SearchMode.Generational, Seed = seed },
        Budget = new BudgetSettings { MaxEvaluations = Budget },
        Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(400), SegmentBits = [8, 8, 16], Salt = salt },
    };

    private static async Task<Dictionary<string, string>> SubmitPairAsync(ClusterConnection client, string salt)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, seed) in new[] { ("a", 11UL), ("b", 12UL) })
        {
            var result = await RetryAsync(() => client.Grains.SubmitExperimentAsync(Spec(name, seed, salt + "-" + name)));
            Assert.True(result.Accepted, string.Join("; ", result.Errors));
            ids[name] = result.ExperimentId!;
        }

        return ids;
    }

    [Fact]
    public async Task Sigterm_to_a_silo_mid_search_in_postgres_mode_loses_nothing_and_reissues_its_queued_evaluations_at_once()
    {
        const int budget = 30;
        var db = await postgres.Server.CreateDatabaseAsync();
        await using var cluster = await SiloProcesses.StartPostgresAsync(
            3, slotsPerSilo: 2, db, SiloStart, p => [.. SiloOperationsTests.HttpArgs(p, dashboard: false), "--PrunerCluster:QueuedPerSlot=2"]);
        try
        {
            await using var client = await ConnectAsync(cluster, db);
            var submitted = await client.Grains.SubmitExperimentAsync(SiloOperationsTests.Spec("pg-rolling-update", durationMs: 2500, budget: budget));
            Assert.True(submitted.Accepted, string.Join("; ", submitted.Errors));
            var experiment = client.Grains.GetExperiment(submitted.ExperimentId!);
            await WaitUntilAsync(client, [submitted.ExperimentId!], s => s.Evaluated >= 6);
            var before = await RetryAsync(() => experiment.GetStatus());
            var victim = cluster.Alive.First(s => !s.Owns(before.CoordinatorSilo));
            output.WriteLine($"coordinator on {before.CoordinatorSilo}; victim silo {victim.Index} (port {victim.SiloPort}) at {before.Evaluated} evaluated");

            // SIGTERM while the victim has evaluations waiting in its slot queue: they must come back at once.
            await SiloOperationsTests.ScrapeUntilAsync(victim, m => SiloOperationsTests.Value(m, SiloOperationsTests.T(PrunerCluster.Grains.Telemetry.PrunerClusterTelemetry.SlotQueueLength)) >= 2, TimeSpan.FromSeconds(60));
            var reissuedBefore = (await RetryAsync(() => experiment.GetStatus())).Reissued;
            var clock = Stopwatch.StartNew();
            victim.Terminate();
            TimeSpan? reissuedAfter = null;
            while (reissuedAfter is null && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if ((await RetryAsync(() => experiment.GetStatus())).Reissued > reissuedBefore)
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
            var handedBack = int.Parse(SiloOperationsTests.HandedBackLine().Match(victim.Output()).Groups[1].Value, CultureInfo.InvariantCulture);
            output.WriteLine($"postgres mode: SIGTERM -> first re-issue {reissuedAfter?.TotalSeconds:F2} s; -> victim exited ({victim.ExitCode}) {clock.Elapsed.TotalSeconds:F2} s; handed back {handedBack}");

            var status = await WaitAsync(client, submitted.ExperimentId!);
            output.WriteLine($"final: {status.State}, {status.Evaluated} evaluated, {status.Failed} failed, {status.Reissued} re-issued, {status.Refused} of them refused");
            Assert.Equal(ExperimentState.Completed, status.State);
            Assert.Equal(budget, status.Evaluated);

            // A draining or full silo is not sent refused work again until it frees a slot (hundreds of refusals before).
            Assert.InRange(status.Refused, 0, 2 * budget);
            Assert.Equal(0, status.Failed);
            var ledger = await RetryAsync(() => experiment.GetEvaluations());
            Assert.Equal(budget, ledger.Select(r => r.CandidateId).Distinct().Count());
            Assert.Equal(0, victim.ExitCode);
            Assert.True(handedBack > 0, "the victim had queued evaluations but handed none back");
            Assert.NotNull(reissuedAfter);
            Assert.True(reissuedAfter < TimeSpan.FromSeconds(10), $"first re-issue only {reissuedAfter} after SIGTERM");
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static Task<ClusterConnection> ConnectAsync(SiloProcesses cluster, string db) =>
        ClusterConnection.ConnectAsync(ClusterConnection.PostgresGateways(db), cluster.ClusterId, cluster.ServiceId, CancellationToken.None, TimeSpan.FromSeconds(60));

    private static async Task<ExperimentStatus> WaitAsync(ClusterConnection client, string id)
    {
        var deadline = DateTime.UtcNow + SearchTimeout;
        while (true)
        {
            var status = await RetryAsync(() => client.Grains.GetExperiment(id).GetStatus());
            if (status.State.IsTerminal() || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(250);
        }
    }

    private static async Task<List<ExperimentStatus>> StatusesAsync(ClusterConnection client, IEnumerable<string> ids)
    {
        var list = new List<ExperimentStatus>();
        foreach (var id in ids)
        {
            list.Add(await RetryAsync(() => client.Grains.GetExperiment(id).GetStatus()));
        }

        return list;
    }

    private static async Task WaitUntilAsync(ClusterConnection client, IEnumerable<string> ids, Func<ExperimentStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + SearchTimeout;
        while (!(await StatusesAsync(client, ids)).All(condition))
        {
            Assert.True(DateTime.UtcNow < deadline, "experiments did not get far enough");
            await Task.Delay(100);
        }
    }

    private static async Task<TimeSpan> TimeUntilAsync(ClusterConnection client, IEnumerable<string> ids, Func<List<ExperimentStatus>, bool> condition, Stopwatch clock)
    {
        while (clock.Elapsed < SearchTimeout)
        {
            var statuses = await StatusesAsync(client, ids);
            if (condition(statuses) || statuses.All(s => s.State.IsTerminal()))
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        return clock.Elapsed;
    }

    /// <summary>Each booked individual as its grain reports it: how often its evaluation ran (persisted) and its outcome.</summary>
    private static async Task<Dictionary<string, IndividualSnapshot>> IndividualsAsync(ClusterConnection client, IReadOnlyList<EvaluationRecord> ledger)
    {
        var individuals = new Dictionary<string, IndividualSnapshot>(StringComparer.Ordinal);
        foreach (var record in ledger)
        {
            individuals[record.IndividualKey] = await RetryAsync(() => client.Grains.GetGrain<IIndividualGrain>(record.IndividualKey).GetSnapshot());
        }

        return individuals;
    }

    /// <summary>Calls through a gateway that just died fail until the client moves to another one.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < 20 && ex is TimeoutException or OrleansException or SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException)
            {
                await Task.Delay(500);
            }
        }
    }

    private static string[] Canonical(ParetoSet set) =>
        [.. set.Entries
            .Select(e => FormattableString.Invariant($"{e.MaskHash}|{e.Metrics[MetricNames.Accuracy]:R}|{e.Metrics[MetricNames.Macs]:R}"))
            .Order(StringComparer.Ordinal)];
}

[CollectionDefinition(Name)]
[Trait("Category", "Database")]
public sealed class PostgresClusterCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres cluster";
}
