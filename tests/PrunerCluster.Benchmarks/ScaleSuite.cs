using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PrunerCluster.Cli.Tests;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Testing;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "scale" (#32 part 3): the cluster on the real path. N silo processes (prunercluster-silo) clustered through a
/// private PostgreSQL 15 (fsync on), S slots each, the synthetic backend, and concurrent experiments with weights 1:1:2:4.
/// Phase <c>util</c>: slot utilization and each experiment's share of slot time in steady state with fixed-time
/// evaluations. Phase <c>zero</c>: coordinator throughput with zero-time evaluations. Both count PostgreSQL round trips per
/// evaluation (pg_stat_database transactions and pg_stat_statements calls, less the idle cluster's own rate) and the CPU
/// of the silos, PostgreSQL and the machine. Phase <c>kill</c>: budgets sized for a run, <c>kill -9</c> of silos mid-run
/// (the heaviest experiment's coordinator host first), the time to the first re-issue and to as many re-issues as the
/// dead silos held, and the evaluations lost once every experiment has finished. Options: <see cref="ScaleOptions.Usage"/>.
/// </summary>
internal static class ScaleSuite
{
    private const int MaxBudget = 100_000;
    private static readonly TimeSpan SiloStart = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(string[] args)
    {
        ScaleOptions options;
        try
        {
            options = ScaleOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"scale: {ex.Message}{Environment.NewLine}usage: {ScaleOptions.Usage}");
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ScaleOptions o)
    {
        Console.WriteLine(Invariant($"scale: {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        Console.WriteLine("  " + o.Describe());
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await using var server = await PrivatePostgres.StartAsync(durable: o.Fsync, extraOptions: "-c max_connections=1000 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top");
        var db = await server.CreateDatabaseAsync("scale");
        var statements = await TryAsync(() => ExecuteAsync(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));
        Console.WriteLine(Invariant($"  private PostgreSQL on port {server.Port} ({clock.Elapsed.TotalSeconds:F1} s){(statements ? "" : "; pg_stat_statements unavailable, transactions only")}"));

        clock.Restart();
        using var guard = new ExitGuard(server);
        // A silo queues one evaluation per slot ahead of its slots (QueuedPerSlot 1): its queue must hold that many.
        string[] siloArgs = [Invariant($"--PrunerCluster:QueueCapacity={Math.Max(16, o.SlotsPerSilo)}")];
        await using var cluster = await SiloProcesses.StartPostgresAsync(1, o.SlotsPerSilo, db, SiloStart, _ => siloArgs);
        guard.Cluster = cluster;
        await Task.WhenAll(Enumerable.Range(1, o.Silos - 1).Select(_ => cluster.AddSiloAsync(SiloStart)).ToArray());
        Console.WriteLine(Invariant($"  {o.Silos} silo processes up in {clock.Elapsed.TotalSeconds:F1} s (the first alone: it applies the schema), failure detection 1 s probes x 2 misses, coordinator tick 250 ms"));
        await using var client = await ClusterConnection.ConnectAsync(ClusterConnection.PostgresGateways(db), cluster.ClusterId, cluster.ServiceId, CancellationToken.None, TimeSpan.FromSeconds(60));
        var grains = client.Grains;
        var probe = new Probe(db, statements, cluster, server);
        await WaitForSilosAsync(grains, o.Silos);

        // What the idle cluster itself costs PostgreSQL (membership heartbeats, reminders, table refreshes).
        var idle0 = await probe.SampleAsync(grains, [], resetStatements: true);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idle1 = await probe.SampleAsync(grains, []);
        var idleSeconds = (idle1.At - idle0.At).TotalSeconds;
        var idleRate = new Rates((idle1.Transactions - idle0.Transactions) / idleSeconds, (idle1.Statements - idle0.Statements) / idleSeconds);
        Console.WriteLine(Invariant($"  idle cluster: {idleRate.Transactions:F1} PostgreSQL transactions/s, {idleRate.Statements:F1} statements/s (subtracted below); cores busy {Cores(idle0, idle1, s => s.Machine):F2} of {Environment.ProcessorCount} (silos {Cores(idle0, idle1, s => s.Silos):F2}, PostgreSQL {Cores(idle0, idle1, s => s.Postgres):F2})"));

        var summary = new List<string>();
        if (o.Runs("util"))
        {
            failures += await PhaseAsync("util", () => UtilizationAsync(o, grains, probe, idleRate, summary));
        }

        if (o.Runs("zero"))
        {
            failures += await PhaseAsync("zero", () => ZeroTimeAsync(o, grains, probe, idleRate, summary));
        }

        if (o.Runs("kill"))
        {
            failures += await PhaseAsync("kill", () => KillAsync(o, grains, cluster, summary));
        }

        Console.WriteLine();
        Console.WriteLine(Invariant($"summary ({o.Silos} silos x {o.SlotsPerSilo} slots, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}):"));
        foreach (var line in summary)
        {
            Console.WriteLine("  " + line);
        }

        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> PhaseAsync(string name, Func<Task> phase)
    {
        try
        {
            await phase();
            return 0;
        }
        catch (Exception ex)
        {
            Console.WriteLine($"  phase {name} failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static async Task UtilizationAsync(ScaleOptions o, IGrainFactory grains, Probe probe, Rates idleRate, List<string> summary)
    {
        Console.WriteLine();
        Console.WriteLine(Invariant($"util: {o.Weights.Count} experiments, {o.EvalSeconds:G} s evaluations, each wanting every slot; warm-up {o.WarmupSeconds:G} s, window {o.Seconds:G} s"));
        var ids = await SubmitAsync(grains, o, "util", o.EvalSeconds, _ => MaxBudget);
        try
        {
            await WarmUpAsync(grains, ids, o, o.WarmupSeconds);
            var before = await probe.SampleAsync(grains, ids, resetStatements: true);
            await ProgressAsync(grains, ids, TimeSpan.FromSeconds(o.Seconds), "window");
            var after = await probe.SampleAsync(grains, ids);
            var statements = await probe.StatementsAsync();
            var window = (after.At - before.At).TotalSeconds;
            var done = Enumerable.Range(0, ids.Count).Select(i => (double)(after.Statuses[i].Evaluated - before.Statuses[i].Evaluated)).ToArray();
            var ran = after.Individuals - before.Individuals;
            var hits = after.Statuses.Sum(x => x.CacheHits) - before.Statuses.Sum(x => x.CacheHits);
            Console.WriteLine(Invariant($"  booked {done.Sum():N0} in the window ({hits:N0} answered by an individual that already held the result: a re-sent dispatch or a repeated mask); {ran:N0} evaluations ran to their end on a slot (individual states stored)"));
            var utilization = ScaleOptions.Utilization(ran, o.EvalSeconds, o.TotalSlots, window);
            var bookedUtilization = ScaleOptions.Utilization(done.Sum(), o.EvalSeconds, o.TotalSlots, window);
            var shares = ScaleOptions.Shares(o.Weights, done.Select(d => d * o.EvalSeconds).ToArray());
            Console.WriteLine(Invariant($"  utilization {utilization:P1} over {window:F1} s ({ran:N0} evaluations x {o.EvalSeconds:G} s / ({o.TotalSlots} slots x {window:F1} s); from the bookings {bookedUtilization:P1}): {ScaleOptions.Verdict(utilization >= 0.95)} (goal >= 95 %)"));
            Console.WriteLine("  share of slot time by weight:");
            Console.WriteLine(ScaleOptions.FormatShares(shares, done));
            var perEval = PrintDatabase(before, after, statements, idleRate, done.Sum());
            Console.WriteLine("  stored states: " + await probe.PayloadsAsync());
            PrintCpu(before, after, done.Sum());
            summary.Add(Invariant($"util: {utilization:P1} of {o.TotalSlots} slots busy with {o.EvalSeconds:G} s evaluations ({ScaleOptions.Verdict(utilization >= 0.95)}, >= 95 %); largest share deviation {shares.Max(s => Math.Abs(s.Deviation)):P1} ({ScaleOptions.Verdict(shares.All(s => ScaleOptions.WithinShareGoal(s.Deviation)))}, +-10 %); {perEval:F1} PostgreSQL round trips per evaluation"));
        }
        finally
        {
            await CancelAsync(grains, ids);
        }
    }

    private static async Task ZeroTimeAsync(ScaleOptions o, IGrainFactory grains, Probe probe, Rates idleRate, List<string> summary)
    {
        Console.WriteLine();
        Console.WriteLine(Invariant($"zero: {o.Weights.Count} experiments, zero-time evaluations; warm-up {o.ZeroWarmupSeconds:G} s, window {o.ZeroSeconds:G} s"));
        var ids = await SubmitAsync(grains, o, "zero", 0, _ => MaxBudget);
        try
        {
            // Zero-time evaluations hold their leases for moments: the warm-up is a time only.
            await ProgressAsync(grains, ids, TimeSpan.FromSeconds(o.ZeroWarmupSeconds), "warm-up");
            var before = await probe.SampleAsync(grains, ids, resetStatements: true);
            await ProgressAsync(grains, ids, TimeSpan.FromSeconds(o.ZeroSeconds), "window");
            var after = await probe.SampleAsync(grains, ids);
            var statements = await probe.StatementsAsync();
            var window = (after.At - before.At).TotalSeconds;
            var done = Enumerable.Range(0, ids.Count).Select(i => (double)(after.Statuses[i].Evaluated - before.Statuses[i].Evaluated)).ToArray();
            Console.WriteLine("    exp  weight  completions/s  cache hits  in flight at end");
            for (var i = 0; i < ids.Count; i++)
            {
                Console.WriteLine(Invariant($"    {i,3}  {o.Weights[i],6:G}  {done[i] / window,13:F1}  {after.Statuses[i].CacheHits - before.Statuses[i].CacheHits,10:N0}  {after.Statuses[i].InFlight,16}"));
            }

            Console.WriteLine(Invariant($"  {after.Individuals - before.Individuals:N0} evaluations ran to their end on a slot in the window; {after.Statuses.Sum(x => x.CacheHits) - before.Statuses.Sum(x => x.CacheHits):N0} bookings were answered by an individual that already held the result"));
            var slowest = done.Min() / window;
            Console.WriteLine(Invariant($"  total {done.Sum() / window:F1} completions/s; slowest experiment {slowest:F1}/s: {ScaleOptions.Verdict(slowest >= 500)} (goal >= 500 per experiment)"));
            var perEval = PrintDatabase(before, after, statements, idleRate, done.Sum());
            Console.WriteLine("  stored states: " + await probe.PayloadsAsync());
            PrintCpu(before, after, done.Sum());
            summary.Add(Invariant($"zero: {done.Sum() / window:F1} completions/s in all, {string.Join(" / ", done.Select(d => (d / window).ToString("F1", CultureInfo.InvariantCulture)))} per experiment ({ScaleOptions.Verdict(slowest >= 500)}, >= 500 each); {perEval:F1} PostgreSQL round trips per evaluation"));
        }
        finally
        {
            await CancelAsync(grains, ids);
        }
    }

    private static async Task KillAsync(ScaleOptions o, IGrainFactory grains, SiloProcesses cluster, List<string> summary)
    {
        var budgets = o.KillBudgets();
        Console.WriteLine();
        Console.WriteLine(Invariant($"kill: {o.Weights.Count} experiments of {string.Join(" / ", budgets)} evaluations ({o.EvalSeconds:G} s each), kill -9 of {o.Kill} silo(s) at 40 % of the evaluations"));
        var ids = await SubmitAsync(grains, o, "kill", o.EvalSeconds, i => budgets[i]);
        var total = budgets.Sum();
        var started = Stopwatch.StartNew();
        var before = await PollAsync(grains, ids, s => s.Sum(x => x.Evaluated) >= total * 0.4 || s.Any(x => x.State.IsTerminal()), TimeSpan.FromSeconds(o.KillRunSeconds * 10));
        var snapshot = await RetryAsync(() => grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler).GetSnapshot());
        var alive = cluster.Alive.ToList();
        var heaviest = Enumerable.Range(0, ids.Count).MaxBy(i => o.Weights[i]);
        var victims = new List<SiloProcess>();
        if (alive.FirstOrDefault(s => s.Owns(before[heaviest].CoordinatorSilo)) is { } host)
        {
            victims.Add(host);
        }

        victims.AddRange(alive.Where(s => !victims.Contains(s) && !before.Any(x => s.Owns(x.CoordinatorSilo))).Take(o.Kill - victims.Count));
        victims.AddRange(alive.Where(s => !victims.Contains(s)).Take(o.Kill - victims.Count));
        var held = snapshot.UsedBySilo.Where(kv => victims.Any(v => v.Owns(kv.Key))).Sum(kv => kv.Value);
        var reissuedBefore = before.Sum(s => s.Reissued);
        var clock = Stopwatch.StartNew();
        foreach (var victim in victims)
        {
            await victim.KillAsync();
        }

        var killedIn = clock.Elapsed;
        Console.WriteLine(Invariant($"  at {started.Elapsed.TotalSeconds:F1} s, {before.Sum(s => s.Evaluated):N0} of {total:N0} evaluated, {before.Sum(s => s.InFlight)} in flight: kill -9 of silo(s) {string.Join(", ", victims.Select(v => v.Index))} ({string.Join(", ", victims.Select(v => before.Any(s => v.Owns(s.CoordinatorSilo)) ? "coordinator host" : "no coordinator"))}; {killedIn.TotalMilliseconds:F0} ms), holding {held} evaluations by the scheduler's books"));
        TimeSpan? first = null;
        TimeSpan? all = null;
        IReadOnlyList<ExperimentStatus> now = before;
        var deadline = TimeSpan.FromSeconds(Math.Max(180, o.KillRunSeconds * 8));
        while (clock.Elapsed < deadline)
        {
            now = await StatusesAsync(grains, ids);
            var reissued = now.Sum(s => s.Reissued) - reissuedBefore;
            first ??= reissued > 0 ? clock.Elapsed : null;
            all ??= reissued >= Math.Max(1, held) ? clock.Elapsed : null;
            if (now.All(s => s.State.IsTerminal()))
            {
                break;
            }

            await Task.Delay(first is null ? 50 : 250);
        }

        var finished = clock.Elapsed;
        Console.WriteLine(Invariant($"  first re-issue {Seconds(first)} after the kill; re-issued as many as the dead silos held ({held}) {Seconds(all)}; all experiments {(now.All(s => s.State.IsTerminal()) ? "finished" : "NOT finished")} {finished.TotalSeconds:F1} s after the kill"));
        Console.WriteLine("    exp  weight  budget  state      evaluated  failed  re-issued  refused  distinct ok  duplicates  lost");
        var lost = 0;
        var duplicates = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            var records = await RetryAsync(() => grains.GetExperiment(ids[i]).GetEvaluations());
            var distinct = records.Where(r => r.Succeeded).Select(r => r.CandidateId).Distinct().Count();
            var dup = records.Count - records.Select(r => r.CandidateId).Distinct().Count();
            var lostHere = budgets[i] - distinct;
            lost += lostHere;
            duplicates += dup;
            Console.WriteLine(Invariant($"    {i,3}  {o.Weights[i],6:G}  {budgets[i],6}  {now[i].State,-9}  {now[i].Evaluated,9}  {now[i].Failed,6}  {now[i].Reissued - before[i].Reissued,9}  {now[i].Refused - before[i].Refused,7}  {distinct,11}  {dup,10}  {lostHere,4}"));
        }

        Console.WriteLine(Invariant($"  evaluations lost: {lost} ({ScaleOptions.Verdict(lost == 0)}, goal 0); booked twice: {duplicates}"));
        summary.Add(Invariant($"kill -9 of {victims.Count} silo(s): first re-issue {Seconds(first)}, {held} held re-issued {Seconds(all)}, done {finished.TotalSeconds:F1} s after the kill; {lost} evaluations lost ({ScaleOptions.Verdict(lost == 0)}, 0)"));
        if (!now.All(s => s.State.IsTerminal()))
        {
            await CancelAsync(grains, ids);
        }
    }

    private static string Seconds(TimeSpan? t) => t is { } v ? Invariant($"{v.TotalSeconds:F2} s") : "never";

    /// <summary>Prints PostgreSQL's work over the window; returns the round trips per evaluation (statements, else transactions, less the idle rate).</summary>
    private static double PrintDatabase(Sample before, Sample after, IReadOnlyList<(long Calls, string Query, double Milliseconds, long WalBytes)> statements, Rates idleRate, double evaluations)
    {
        var window = (after.At - before.At).TotalSeconds;
        var transactions = after.Transactions - before.Transactions;
        var net = transactions - (idleRate.Transactions * window);
        var perEval = evaluations > 0 ? net / evaluations : double.NaN;
        Console.WriteLine(Invariant($"  PostgreSQL: {transactions:N0} transactions in {window:F1} s ({transactions / window:F0}/s), {net:N0} after the idle rate: {perEval:F2} per evaluation (Npgsql's DISCARD ALL on each pooled connection's reuse included)"));
        if (statements.Count > 0)
        {
            var calls = after.Statements - before.Statements;
            var netCalls = calls - (idleRate.Statements * window);
            perEval = evaluations > 0 ? netCalls / evaluations : double.NaN;
            Console.WriteLine(Invariant($"  round trips (pg_stat_statements top-level calls less DISCARD ALL, which rides with the next statement): {calls:N0} in the window ({calls / window:F0}/s), {netCalls:N0} after the idle rate = {perEval:F2} per evaluation; most called:"));
            Console.WriteLine("      per eval     calls  ms each  WAL KiB/eval  statement");
            foreach (var (count, query, ms, wal) in statements.Take(8))
            {
                Console.WriteLine(Invariant($"    {(evaluations > 0 ? count / evaluations : double.NaN),10:F2}  {count,8:N0}  {ms / Math.Max(1, count),7:F2}  {(evaluations > 0 ? wal / 1024.0 / evaluations : double.NaN),12:F1}  {Squeeze(query, 90)}"));
            }

            var walTotal = statements.Sum(x => x.WalBytes);
            Console.WriteLine(Invariant($"    WAL written by these statements: {walTotal / 1048576.0:F1} MiB = {(evaluations > 0 ? walTotal / 1024.0 / evaluations : double.NaN):F1} KiB per evaluation"));
        }

        return perEval;
    }

    private static void PrintCpu(Sample before, Sample after, double evaluations)
    {
        var window = (after.At - before.At).TotalSeconds;
        var silos = Cores(before, after, s => s.Silos);
        var postgres = Cores(before, after, s => s.Postgres);
        Console.WriteLine(Invariant($"  CPU over the window: machine {Cores(before, after, s => s.Machine):F2} of {Environment.ProcessorCount} cores busy (every user of the machine); silos {silos:F2} cores = {silos * window * 1000 / Math.Max(1, evaluations):F1} ms per booked evaluation, PostgreSQL {(postgres >= 0 ? Invariant($"{postgres:F2} cores = {postgres * window * 1000 / Math.Max(1, evaluations):F1} ms") : "n/a (backends that exited in the window took their CPU time with them)")}, this process (client) {Cores(before, after, s => s.Self):F2}; load average {LoadAverage()}"));
    }

    private static double Cores(Sample a, Sample b, Func<Sample, double> jiffies) =>
        (jiffies(b) - jiffies(a)) / Probe.TicksPerSecond / (b.At - a.At).TotalSeconds;

    private static string Squeeze(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..(max - 3)] + "...";
    }

    private static ExperimentSpec Spec(string name, double weight, int budget, double evalSeconds, int population) => new()
    {
        Name = name,
        Backend = SyntheticEvaluationBackend.BackendName,
        Model = "vgg",
        Dataset = "synthetic",
        Weight = weight,
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        // channelBits (the backend's default), 128 bits; at the default rate of 1/128 per bit a third of the offspring of a
        // population of 16 copy a parent and are answered from the individual's stored result instead of taking a slot.
        Search = new SearchSettings { PopulationSize = population, Mode = SearchMode.SteadyState, Seed = 7, MutationRate = 0.05 },
        Budget = new BudgetSettings { MaxEvaluations = budget },
        // 128 bits per mask: a search of 10^5 candidates almost never proposes one twice; the salt keeps experiments apart.
        Synthetic = new SyntheticSettings { Duration = TimeSpan.FromSeconds(evalSeconds), SegmentBits = [32, 32, 64], Salt = name + "-" + Guid.NewGuid().ToString("N")[..8] },
    };

    private static async Task<IReadOnlyList<string>> SubmitAsync(IGrainFactory grains, ScaleOptions o, string phase, double evalSeconds, Func<int, int> budget)
    {
        var ids = new List<string>();
        for (var i = 0; i < o.Weights.Count; i++)
        {
            var spec = Spec(Invariant($"{phase}-{i}-w{o.Weights[i]:G}"), o.Weights[i], budget(i), evalSeconds, o.Population);
            var submitted = await RetryAsync(() => grains.SubmitExperimentAsync(spec));
            if (!submitted.Accepted)
            {
                throw new InvalidOperationException($"{spec.Name} refused: {string.Join("; ", submitted.Errors)}");
            }

            ids.Add(submitted.ExperimentId!);
        }

        return ids;
    }

    private static async Task CancelAsync(IGrainFactory grains, IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            await TryAsync(() => grains.GetExperiment(id).Cancel());
        }

        // Let the slots drain before the next phase, so it starts from an idle cluster.
        var scheduler = grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var snapshot = await RetryAsync(() => scheduler.GetSnapshot());
            if (snapshot.UsedBySilo.Values.Sum() == 0)
            {
                break;
            }

            await Task.Delay(250);
        }

        Console.WriteLine(Invariant($"  cancelled; slots drained in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>
    /// Steady state: at least <paramref name="seconds"/>, and until every experiment holds 80 % of its weighted share of the
    /// cluster's leases (a slot and one queued evaluation each), at most 5 minutes more.
    /// </summary>
    private static async Task WarmUpAsync(IGrainFactory grains, IReadOnlyList<string> ids, ScaleOptions o, double seconds)
    {
        var leases = 2.0 * o.TotalSlots;
        var total = o.Weights.Sum();
        var clock = Stopwatch.StartNew();
        await ProgressAsync(grains, ids, TimeSpan.FromSeconds(seconds), "warm-up");
        var last = await ProgressAsync(grains, ids, TimeSpan.FromSeconds(300), "warm-up", now => now.Select((s, i) => s.InFlight >= 0.8 * leases * o.Weights[i] / total).All(x => x));
        Console.WriteLine(Invariant($"    steady after {clock.Elapsed.TotalSeconds:F1} s: in flight {string.Join("/", last.Select(s => s.InFlight))} of {leases:F0} leases"));
    }

    /// <summary>Waits <paramref name="span"/> (or until <paramref name="until"/> holds), printing progress every 5 s.</summary>
    private static async Task<IReadOnlyList<ExperimentStatus>> ProgressAsync(IGrainFactory grains, IReadOnlyList<string> ids, TimeSpan span, string label, Func<IReadOnlyList<ExperimentStatus>, bool>? until = null)
    {
        var clock = Stopwatch.StartNew();
        var last = await StatusesAsync(grains, ids);
        var lastAt = clock.Elapsed;
        while (clock.Elapsed < span && !(until?.Invoke(last) ?? false))
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, Math.Max(0.05, (span - clock.Elapsed).TotalSeconds))));
            var now = await StatusesAsync(grains, ids);
            var seconds = (clock.Elapsed - lastAt).TotalSeconds;
            Console.WriteLine(Invariant($"    {label} +{clock.Elapsed.TotalSeconds,5:F1} s: booked {now.Sum(s => s.Evaluated),7:N0} ({(now.Sum(s => s.Evaluated) - last.Sum(s => s.Evaluated)) / seconds,7:F1}/s), in flight {string.Join("/", now.Select(s => s.InFlight))}, re-issued {now.Sum(s => s.Reissued)}, failed {now.Sum(s => s.Failed)}, states {string.Join("/", now.Select(s => s.State.ToString()[..3]))}"));
            last = now;
            lastAt = clock.Elapsed;
        }

        return last;
    }

    private static async Task<IReadOnlyList<ExperimentStatus>> PollAsync(IGrainFactory grains, IReadOnlyList<string> ids, Func<IReadOnlyList<ExperimentStatus>, bool> until, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = await StatusesAsync(grains, ids);
            if (until(now) || clock.Elapsed > patience)
            {
                return now;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<IReadOnlyList<ExperimentStatus>> StatusesAsync(IGrainFactory grains, IReadOnlyList<string> ids) =>
        await Task.WhenAll(ids.Select(id => RetryAsync(() => grains.GetExperiment(id).GetStatus())));

    private static async Task WaitForSilosAsync(IGrainFactory grains, int silos)
    {
        var scheduler = grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        var clock = Stopwatch.StartNew();
        while ((await RetryAsync(() => scheduler.GetSnapshot())).SlotsBySilo.Count < silos)
        {
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"the scheduler never saw {silos} slot silos");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (clock.Elapsed < Patience)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<bool> TryAsync(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Rates(double Transactions, double Statements);

    private sealed record Sample(DateTime At, long Transactions, long Statements, long Individuals, IReadOnlyList<ExperimentStatus> Statuses, double Machine, double Silos, double Postgres, double Self);

    /// <summary>Reads PostgreSQL's counters and the CPU time of the silos, the server and the machine.</summary>
    private sealed class Probe(string db, bool statements, SiloProcesses cluster, PrivatePostgres server)
    {
        public const double TicksPerSecond = 100; // USER_HZ on Linux

        public async Task<Sample> SampleAsync(IGrainFactory grains, IReadOnlyList<string> ids, bool resetStatements = false)
        {
            var statuses = ids.Count == 0 ? [] : await StatusesAsync(grains, ids);
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            if (resetStatements && statements)
            {
                await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
                await reset.ExecuteNonQueryAsync();
            }

            // Busy backends flush their counters at most once a second, idle ones within 10 s: over a window of 30 s or
            // more the lag is small against the count.
            await using var command = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
            var transactions = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            // Every evaluation that ran to its end on a slot stores its individual once (keys are unique per phase: the salt).
            await using var stored = new NpgsqlCommand("SELECT count(*) FROM orleansstorage WHERE graintypestring = 'individual'", connection);
            var individuals = Convert.ToInt64(await stored.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            var calls = 0L;
            if (statements)
            {
                // Round trips: every top-level statement but Npgsql's pool reset (DISCARD ALL goes out in front of the next
                // statement on that connection, in the same round trip) and this probe's own.
                await using var count = new NpgsqlCommand("SELECT COALESCE(SUM(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat%' AND query <> 'DISCARD ALL'", connection);
                calls = Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }

            var at = DateTime.UtcNow;
            var pids = cluster.Alive.Select(s => s.ProcessId).ToHashSet();
            var postmaster = server.PostmasterPid();
            double silos = 0, postgres = 0;
            foreach (var (pid, ppid, ticks) in Processes())
            {
                if (pids.Contains(pid))
                {
                    silos += ticks;
                }
                else if (postmaster is { } p && (pid == p || ppid == p))
                {
                    postgres += ticks;
                }
            }

            return new Sample(at, transactions, calls, individuals, statuses, MachineBusy(), silos, postgres, Ticks(Environment.ProcessId) ?? 0);
        }

        /// <summary>Stored grain states by grain type: rows and the largest payload (the coordinator's is rewritten on every persist).</summary>
        public async Task<string> PayloadsAsync()
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT CASE WHEN graintypestring LIKE 'ledger-%' THEN 'ledger chunk' ELSE graintypestring END, count(*), COALESCE(MAX(COALESCE(length(payloadbinary), 0)), 0) FROM orleansstorage GROUP BY 1 ORDER BY 3 DESC", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var parts = new List<string>();
            while (await reader.ReadAsync())
            {
                parts.Add(Invariant($"{reader.GetString(0)} {reader.GetInt64(1):N0} rows, largest {reader.GetInt32(2) / 1024.0:F1} KiB"));
            }

            return string.Join("; ", parts);
        }

        public async Task<IReadOnlyList<(long Calls, string Query, double Milliseconds, long WalBytes)>> StatementsAsync()
        {
            if (!statements)
            {
                return [];
            }

            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT calls, query, total_exec_time, wal_bytes::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat%' ORDER BY calls DESC", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<(long, string, double, long)>();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetDouble(2), reader.GetInt64(3)));
            }

            return rows;
        }

        private static double MachineBusy()
        {
            // cpu  user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            return fields.Take(8).Sum() - fields[3] - fields[4];
        }

        private static IEnumerable<(int Pid, int Ppid, double Ticks)> Processes()
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || Stat(pid) is not { } stat)
                {
                    continue;
                }

                yield return (pid, stat.Ppid, stat.Ticks);
            }
        }

        private static double? Ticks(int pid) => Stat(pid)?.Ticks;

        private static (int Ppid, double Ticks)? Stat(int pid)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                return (int.Parse(rest[1], CultureInfo.InvariantCulture), long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Kills the silo processes and stops PostgreSQL when this process is stopped (Ctrl+C, SIGTERM) before the normal
    /// disposal runs, so an interrupted benchmark leaves nothing behind.
    /// </summary>
    private sealed class ExitGuard : IDisposable
    {
        private readonly PrivatePostgres _server;
        private readonly System.Runtime.InteropServices.PosixSignalRegistration[] _signals;

        public ExitGuard(PrivatePostgres server)
        {
            _server = server;
            _signals =
            [
                System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal),
                System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal),
            ];
        }

        public SiloProcesses? Cluster { get; set; }

        public void Dispose()
        {
            foreach (var signal in _signals)
            {
                signal.Dispose();
            }
        }

        private void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            Console.Error.WriteLine("scale: interrupted; stopping the silos and PostgreSQL");
            Cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Environment.Exit(130);
        }
    }
}
