using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Slots;

/// <summary>What a drain did: evaluations handed back unstarted, and whether every accepted one finished in time.</summary>
public sealed record DrainResult(int HandedBack, bool AllFinished, TimeSpan Elapsed);

/// <summary>
/// Graceful drain of this silo before it stops (SIGTERM, rolling update, scale-down): the slot scheduler stops granting
/// slots here, queued evaluations are handed back unstarted (their coordinators re-issue them elsewhere at once, not after
/// a lease or failure-detection timeout), and running ones get up to the grace period to finish and report. Independent of
/// the clustering and storage providers: it talks only to the scheduler grain and this silo's slot executor.
/// </summary>
public sealed class SiloDrain(SlotExecutor executor, IGrainFactory grains, ILocalSiloDetails localSilo, ILogger<SiloDrain> logger)
{
    private static readonly TimeSpan SchedulerCallTimeout = TimeSpan.FromSeconds(5);
    private int _started;

    /// <summary>True once a drain began: readiness turns false.</summary>
    public bool IsDraining => Volatile.Read(ref _started) == 1 || executor.IsDraining;

    public async Task<DrainResult> DrainAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            var finished = await executor.WaitForOutstandingAsync(grace, cancellationToken).ConfigureAwait(false);
            return new DrainResult(0, finished, clock.Elapsed);
        }

        var silo = localSilo.SiloAddress.ToParsableString();
        if (executor.Slots > 0)
        {
            try
            {
                await grains.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler).Drain(silo)
                    .WaitAsync(SchedulerCallTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                DrainLog.SchedulerNotTold(logger, ex, silo);
            }
        }

        var handedBack = executor.Drain();
        DrainLog.Draining(logger, silo, handedBack, executor.Running, grace.TotalSeconds);
        var allFinished = await executor.WaitForOutstandingAsync(grace, cancellationToken).ConfigureAwait(false);
        DrainLog.Drained(logger, silo, clock.Elapsed.TotalSeconds, allFinished);
        return new DrainResult(handedBack, allFinished, clock.Elapsed);
    }
}
