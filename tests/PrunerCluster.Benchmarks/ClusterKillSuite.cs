using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Cli.Tests;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Part of "cluster --postgres": the time from <c>kill -9</c> of a real silo process to its coordinators re-issuing the
/// work it held, for a silo that hosts no coordinator and for the one that does (its coordinator moves first).
/// </summary>
internal static class ClusterKillSuite
{
    private const int Budget = 60;
    private static readonly TimeSpan SiloStart = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(PrivatePostgres server)
    {
        var db = await server.CreateDatabaseAsync("bench_kill");
        await using var cluster = await SiloProcesses.StartPostgresAsync(3, slotsPerSilo: 2, db, SiloStart);
        await using var client = await ClusterConnection.ConnectAsync(ClusterConnection.PostgresGateways(db), cluster.ClusterId, cluster.ServiceId, CancellationToken.None, TimeSpan.FromSeconds(60));
        Console.WriteLine("kill -9 to re-issue: 3 silo processes x 2 slots in postgres mode, 400 ms evaluations; failure detection 1 s probes x 2 misses, coordinator tick 250 ms (as the tests):");
        foreach (var kind in new[] { "other silo", "coordinator host" })
        {
            var submitted = await RetryAsync(() => client.Grains.SubmitExperimentAsync(Spec("kill-" + kind.Replace(' ', '-'))));
            var experiment = client.Grains.GetExperiment(submitted.ExperimentId!);
            var status = await PollAsync(() => experiment.GetStatus(), s => s.Evaluated >= 10 && s.InFlight >= 4);
            var alive = cluster.Alive.ToList();
            var victim = kind == "other silo" ? alive.First(s => !s.Owns(status.CoordinatorSilo)) : alive.First(s => s.Owns(status.CoordinatorSilo));
            var clock = Stopwatch.StartNew();
            await victim.KillAsync();
            var after = await PollAsync(() => experiment.GetStatus(), s => s.Reissued > status.Reissued || s.State.IsTerminal());
            var reissue = clock.Elapsed;
            var final = await PollAsync(() => experiment.GetStatus(), s => s.State.IsTerminal(), TimeSpan.FromMinutes(4));
            Console.WriteLine(Invariant(
                $"  {kind,-16}: kill -9 at {status.Evaluated} done/{status.InFlight} in flight -> first re-issue {reissue.TotalSeconds:F2} s ({after.Reissued - status.Reissued} re-issued); search {final.State} {clock.Elapsed.TotalSeconds:F1} s after the kill, {final.Evaluated} evaluated, {final.Failed} failed"));
            await cluster.AddSiloAsync(SiloStart);
        }
    }

    private static ExperimentSpec Spec(string name) => new()
    {
        Name = name,
        Backend = "synthetic",
        Model = "vgg",
        Dataset = "synthetic",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 8, Mode = SearchMode.SteadyState, Seed = 5 },
        Budget = new BudgetSettings { MaxEvaluations = Budget },
        Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(400), SegmentBits = [8, 8, 16], Salt = name },
    };

    /// <summary>Polls every 20 ms (calls may fail while a dead silo's grains move) until the condition holds.</summary>
    private static async Task<ExperimentStatus> PollAsync(Func<Task<ExperimentStatus>> read, Func<ExperimentStatus, bool> until, TimeSpan? patience = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = await RetryAsync(read);
            if (until(status) || deadline.Elapsed > (patience ?? Patience))
            {
                return status;
            }

            await Task.Delay(20);
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (deadline.Elapsed < Patience)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
