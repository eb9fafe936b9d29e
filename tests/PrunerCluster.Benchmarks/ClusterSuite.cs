using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Engine.Storage;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "cluster": real silos in this process talking over loopback TCP (localhost clustering), the synthetic backend.
/// Throughput scaling with 1, 2 and 4 silos x 2 slots at a fixed 200 ms per evaluation against the ideal (slots / 0.2 s),
/// slot utilization over each whole search, orchestration overhead per evaluation against calling the backend directly,
/// and steady-state vs generational throughput when evaluation times vary 4x. Options: --quick (fewer evaluations).
/// </summary>
internal static class ClusterSuite
{
    private const int SlotsPerSilo = 2;
    private static readonly TimeSpan FixedCost = TimeSpan.FromMilliseconds(200);

    public static int Run(string[] args) => args.Contains("--postgres")
        ? ClusterPostgresSuite.RunAsync(args.Contains("--quick")).GetAwaiter().GetResult()
        : RunAsync(args.Contains("--quick")).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(bool quick)
    {
        Console.WriteLine($"cluster suite: {Environment.ProcessorCount} cores, .NET {Environment.Version}, silos in-process over loopback TCP, {SlotsPerSilo} slots per silo");
        var direct = DirectCost(quick ? 5 : 10);
        Console.WriteLine(Invariant($"direct SyntheticEvaluationBackend.Evaluate at {FixedCost.TotalMilliseconds:F0} ms: {direct:F2} ms per call (mean)"));
        var waves = quick ? 15 : 40;
        await RunSearchAsync(2, Spec("warm-up", 40, TimeSpan.FromMilliseconds(20), 1, SearchMode.SteadyState));

        Console.WriteLine("fixed 200 ms per evaluation, steady-state, population 16 (ideal = slots / direct call time):");
        Console.WriteLine("  silos  slots  evals   wall s  evals/s   ideal/s  efficiency  utilization  overhead ms/eval");
        foreach (var silos in new[] { 1, 2, 4 })
        {
            var slots = silos * SlotsPerSilo;
            var run = await RunSearchAsync(silos, Spec($"scale-{silos}", slots * waves, FixedCost, 1, SearchMode.SteadyState));
            var ideal = slots * 1000 / direct;
            var overhead = (slots * run.Wall.TotalMilliseconds / run.Evaluated) - direct;
            Console.WriteLine(Invariant(
                $"  {silos,5}  {slots,5}  {run.Evaluated,5}  {run.Wall.TotalSeconds,7:F2}  {run.Throughput,7:F2}  {ideal,8:F2}  {run.Throughput / ideal,9:P1}  {run.Utilization,10:P1}  {overhead,16:F2}"));
        }

        var zeroSpec = Spec("zero-cost", quick ? 100 : 300, TimeSpan.Zero, 1, SearchMode.SteadyState);
        var directZero = DirectCost(50, zeroSpec);
        var zero = await RunSearchAsync(1, zeroSpec);
        Console.WriteLine(Invariant(
            $"orchestration alone (0 ms evaluations, 1 silo x {SlotsPerSilo} slots, {zero.Evaluated} evals): {zero.Throughput:F1} evals/s = {1000 / zero.Throughput:F2} ms per evaluation through the grains vs {directZero:F3} ms calling the evaluator directly (grain activation, start call and callback, scheduler grant, state write, ask/tell)"));

        Console.WriteLine("evaluation time varying 4x (100..400 ms by mask), 2 silos x 2 slots, population 8:");
        var budget = quick ? 64 : 160;
        var steady = await RunSearchAsync(2, Spec("steady", budget, TimeSpan.FromMilliseconds(100), 4, SearchMode.SteadyState, population: 8));
        var generational = await RunSearchAsync(2, Spec("generational", budget, TimeSpan.FromMilliseconds(100), 4, SearchMode.Generational, population: 8));
        Console.WriteLine(Invariant($"  steady-state:  {steady.Evaluated} evals in {steady.Wall.TotalSeconds:F2} s = {steady.Throughput:F2} evals/s, utilization {steady.Utilization:P1}"));
        Console.WriteLine(Invariant($"  generational:  {generational.Evaluated} evals in {generational.Wall.TotalSeconds:F2} s = {generational.Throughput:F2} evals/s, utilization {generational.Utilization:P1}"));
        Console.WriteLine(Invariant($"  steady-state / generational throughput: {steady.Throughput / generational.Throughput:F2}x"));
        return 0;
    }

    internal static ExperimentSpec Spec(string name, int evaluations, TimeSpan cost, double spread, SearchMode mode, int population = 16) => new()
    {
        Name = name,
        Backend = SyntheticEvaluationBackend.BackendName,
        Model = "vgg",
        Dataset = "synthetic",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = population, Mode = mode, Seed = 3 },
        Budget = new BudgetSettings { MaxEvaluations = evaluations },
        Synthetic = new SyntheticSettings { Duration = cost, DurationSpread = spread, SegmentBits = [32, 32, 64], Salt = name },
    };

    private static double DirectCost(int calls, ExperimentSpec? spec = null)
    {
        var backend = new SyntheticEvaluationBackend(TimeProvider.System);
        spec ??= Spec("direct", 1, FixedCost, 1, SearchMode.SteadyState);
        var prepared = backend.PrepareAsync(spec, CancellationToken.None).GetAwaiter().GetResult();
        var layout = new Evolution.GenomeLayout(prepared.Segments.Select(s => new Evolution.SegmentSpec(s.Name, s.Bits)).ToArray());
        var genome = Evolution.Genome.Full(layout);
        var request = new EvaluationRequest
        {
            ExperimentId = "direct",
            CandidateId = 0,
            Spec = spec,
            Prepared = prepared,
            MaskText = genome.ToCanonicalString(),
            MaskHash = genome.ContentHash,
        };
        var slot = new SlotContext(0, "cpu", "cpu", "direct");
        var start = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            var outcome = backend.Evaluate(request, slot, CancellationToken.None);
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException(outcome.FailureReason);
            }
        }

        return TimeProvider.System.GetElapsedTime(start).TotalMilliseconds / calls;
    }

    internal static async Task<SearchRun> RunSearchAsync(int siloCount, ExperimentSpec spec, string? postgres = null)
    {
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var ports = FreePorts(2 * siloCount);
        var silos = new List<IHost>();
        try
        {
            for (var i = 0; i < siloCount; i++)
            {
                silos.Add(await StartSiloAsync(ports[2 * i], ports[(2 * i) + 1], ports[0], clusterId, postgres));
            }

            var grains = silos[0].Services.GetRequiredService<IGrainFactory>();
            await WaitForSlotsAsync(grains, siloCount * SlotsPerSilo * 2);
            var executors = silos.Select(s => s.Services.GetRequiredService<SlotExecutor>()).ToArray();
            var busyBefore = executors.Sum(e => e.BusyTime.Ticks);
            var submitted = await grains.SubmitExperimentAsync(spec);
            if (!submitted.Accepted)
            {
                throw new InvalidOperationException(string.Join("; ", submitted.Errors));
            }

            var status = await grains.WaitForExperimentAsync(submitted.ExperimentId!, TimeSpan.FromMilliseconds(50));
            if (status.State != ExperimentState.Completed)
            {
                throw new InvalidOperationException($"{spec.Name} ended {status.State}: {string.Join("; ", status.Errors)}");
            }

            var wall = status.FinishedAt!.Value - status.StartedAt!.Value;
            var busy = TimeSpan.FromTicks(executors.Sum(e => e.BusyTime.Ticks) - busyBefore);
            var slots = siloCount * SlotsPerSilo;
            return new SearchRun(status.Evaluated, wall, status.Evaluated / wall.TotalSeconds, busy / (slots * wall));
        }
        finally
        {
            for (var i = silos.Count - 1; i >= 0; i--)
            {
                await silos[i].StopAsync();
                silos[i].Dispose();
            }
        }
    }

    internal static async Task<IHost> StartSiloAsync(int siloPort, int gatewayPort, int primaryPort, string clusterId, string? postgres = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            if (postgres is null)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, primaryPort), "prunercluster-bench", clusterId);
                silo.AddMemoryGrainStorage(PrunerClusterStorage.Name);
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = "prunercluster-bench";
                });
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                silo.UsePostgresCluster(postgres, PrunerClusterStorage.Name);
            }

            silo.AddPrunerClusterGrains(o =>
            {
                o.SlotsPerDevice = SlotsPerSilo;
                o.QueueCapacity = 4;
                o.QueuedPerSlot = 1;
            });
            silo.AddSyntheticEvaluationBackend();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task WaitForSlotsAsync(IGrainFactory grains, int total)
    {
        var scheduler = grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        for (var i = 0; i < 400; i++)
        {
            if ((await scheduler.GetSnapshot()).SlotsBySilo.Values.Sum() == total)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the scheduler never saw {total} slots");
    }

    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed record SearchRun(int Evaluated, TimeSpan Wall, double Throughput, double Utilization);
}
