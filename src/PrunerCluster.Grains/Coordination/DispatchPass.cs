using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// One dispatch pass of a running (or paused) experiment, write-ahead: results booked since the last write are stored, the
/// slot scheduler is asked for what the waiting entries and new work need, the <see cref="DispatchPlanner"/> matches grants
/// to work, the plan is stored, and only then do the individuals hear of it; their answers go to the
/// <see cref="DispatchResultHandler"/>. While the experiment is <see cref="ExperimentState.Recovering"/> only the final
/// recovery's entries go out. Returns whether another pass should follow at once.
/// </summary>
public sealed class DispatchPass(CoordinatorState state, EvaluationBookkeeper books, DispatchPlanner planner, DispatchResultHandler results, IDispatchHost host, TimeProvider time)
{
    public double FairShare { get; private set; }

    public async Task<bool> RunOnceAsync(string experimentId)
    {
        if (books.Engine is not { } engine || state.State is not (ExperimentState.Running or ExperimentState.Paused or ExperimentState.Recovering))
        {
            return false;
        }

        if ((books.Dirty || books.Ledger.HasUnpersisted || !host.StorageHealthy) && !await host.PersistAsync())
        {
            return false;
        }

        if (engine.IsTerminated && books.InFlight.Count == 0)
        {
            await host.CompleteAsync();
            return false;
        }

        var waiting = books.InFlight.Waiting();
        var running = state.State is ExperimentState.Running or ExperimentState.Recovering;
        var searching = state.State == ExperimentState.Running && !engine.IsTerminated;
        SlotGrant grant;
        try
        {
            grant = await host.AcquireAsync(planner.Request(experimentId, state.Spec!, state.DeviceClass, waiting, running, searching && !books.Barrier));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            host.SchedulerFailed(ex);
            return false;
        }

        FairShare = grant.FairShare;
        if (state.DeviceClass is null && grant.DeviceClass is not null && grant.Silos.Count > 0 && DeviceClassName.DependsOnDevice(state.Spec!))
        {
            // Measured objectives compare only within one class: the first grant pins it for the experiment's lifetime.
            state.DeviceClass = grant.DeviceClass;
            books.Dirty = true;
        }

        var now = time.GetUtcNow();
        var keyClass = DispatchPlanner.KeyDeviceClass(state);
        var plan = planner.Plan(waiting, grant.Silos, searching && !books.Barrier, engine.Ask, (c, silo) => DispatchPlanner.NewEntry(c, silo, state.Prepared!, keyClass, state.Spec, now));

        // Generational barrier or budget reached: the spare grants go back on the next pass.
        books.Barrier |= plan.ShortOfCandidates;
        books.Dirty |= plan.Dispatch.Count > 0;

        // Write-ahead: the engine's pending set and the in-flight map are stored before any individual hears of them. When the
        // write fails nothing goes out: the entries wait for a slot again and the timer retries the write.
        if (books.Dirty && !await host.PersistAsync())
        {
            foreach (var entry in plan.Dispatch)
            {
                InFlightTable.Release(entry, now);
            }

            return false;
        }

        host.Publish(FairShare);
        if (plan.Dispatch.Count == 0)
        {
            return plan.ShortOfCandidates;
        }

        results.Apply(await host.DispatchAsync(plan.Dispatch));
        return plan.ShortOfCandidates || books.Dirty || books.Ledger.HasUnpersisted;
    }
}
