using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains;

/// <summary>
/// One experiment's search: an Orleans shell over plain classes in <c>Coordination/</c>. The <see cref="DispatchPlanner"/>
/// chooses what goes where, the <see cref="EvaluationDispatcher"/> starts it, the <see cref="DispatchResultHandler"/> and
/// the <see cref="EvaluationBookkeeper"/> apply what comes back (results into the <see cref="EvaluationLedger"/> and the
/// engine, refusals into the <see cref="RefusalMemory"/>, transient failures into retries), the <see cref="LeaseSweep"/>
/// polls or re-issues on each tick, and the <see cref="WriteAheadStore"/> stores everything before anything new goes out.
/// It never waits for an evaluation inside a call: individuals report back through <see cref="OnEvaluationCompleted"/>,
/// which also says that a slot freed. A reminder re-activates it after its silo dies; reads are interleaved.
/// </summary>
internal sealed class PopulationCoordinatorGrain : Grain, IPopulationCoordinatorGrain, IRemindable, IDisposable
{
    private const string ReminderName = "prunercluster-coordinator";
    private const int LedgerChunkSize = 64;

    private readonly IPersistentState<CoordinatorState> _state;
    private readonly IGrainStorage _storage;
    private readonly EvaluationBackendCatalog _backends;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _localSilo;
    private readonly PrunerClusterSiloOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PopulationCoordinatorGrain> _logger;
    private readonly CancellationTokenSource _deactivating = new();
    private readonly HypervolumeCache _hypervolume = new();
    private readonly DispatchPump _pump;
    private EvaluationLedger _ledger = new(LedgerChunkSize);
    private WriteAheadStore _store = null!;
    private EvaluationBookkeeper _books = null!;
    private DispatchPlanner _planner = null!;
    private DispatchResultHandler _results = null!;
    private EvaluationDispatcher _dispatcher = null!;
    private LeaseSweep _sweep = null!;
    private ICoordinatorEvents _events = null!;
    private IGrainTimer? _timer;
    private Task? _preparing;
    private double _fairShare;
    private (int Evaluated, ExperimentState State, ParetoSet? Set) _pareto = (-1, ExperimentState.Pending, null);
    private CoordinatorTelemetry? _telemetry;

    public PopulationCoordinatorGrain(
        [PersistentState("experiment", PrunerClusterStorage.Name)] IPersistentState<CoordinatorState> state,
        [FromKeyedServices(PrunerClusterStorage.Name)] IGrainStorage storage,
        EvaluationBackendCatalog backends,
        IClusterMembershipService membership,
        ILocalSiloDetails localSilo,
        IOptions<PrunerClusterSiloOptions> options,
        TimeProvider time,
        ILogger<PopulationCoordinatorGrain> logger)
    {
        _state = state;
        _storage = storage;
        _backends = backends;
        _membership = membership;
        _localSilo = localSilo;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _pump = new DispatchPump(PumpOnce);
    }

    private CoordinatorState S => _state.State;

    private Nsga2? Engine => _books.Engine;

    private CoordinatorTelemetry Telemetry => _telemetry ??= new CoordinatorTelemetry(ExperimentId);

    private string ExperimentId => this.GetPrimaryKeyString();

    private IPopulationCoordinatorGrain Self => this.AsReference<IPopulationCoordinatorGrain>();

    private ISlotSchedulerGrain Scheduler => GrainFactory.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);

    /// <summary>The spec's class, else (when a measured objective needs one) the class pinned from the first grant.</summary>
    private string? KeyDeviceClass => S.Spec?.DeviceClass ?? (S.Spec is { } spec && DeviceClassName.DependsOnDevice(spec) ? S.DeviceClass : null);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ledger = new EvaluationLedger(S.LedgerChunkSize > 0 ? S.LedgerChunkSize : LedgerChunkSize);
        var chunks = new GrainStorageLedgerChunkStore(_storage, this.GetGrainId());
        _store = new WriteAheadStore(_state, chunks, _ledger, _time);
        await LedgerRecovery.LoadAsync(chunks, _ledger);

        var inFlight = new InFlightTable(S.InFlight);
        inFlight.ForgetContact();
        var refusals = new RefusalMemory(_options.CoordinatorTick * 5);
        _events = new CoordinatorEventLog(_logger, ExperimentId, () => Telemetry);
        _books = new EvaluationBookkeeper(S, inFlight, _ledger, refusals, _events, _time, _options.DefaultMaxAttempts, _options.MaxRecordedErrors);
        _planner = new DispatchPlanner(inFlight, refusals, _time);
        _results = new DispatchResultHandler(_books, S, _events, _time);
        _dispatcher = new EvaluationDispatcher(StartOnGrantedSilo, _events, _time);
        _sweep = new LeaseSweep(new LeasePolicy(_options.EvaluationLease), _books, (id, why) => Log.Reissuing(_logger, ExperimentId, id, why));
        Telemetry.Restore(S.TraceParent);
        if (S.Spec is not null && S.Prepared is not null && S.AlgorithmJson is not null)
        {
            try
            {
                var search = ExperimentPreparation.Restore(S.Spec, S.Prepared, S.AlgorithmJson, _time);
                (_books.Problem, _books.Engine) = (search.Problem, search.Engine);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                _books.AddError($"cannot restore the search state: {ex.Message}");
                S.State = ExperimentState.Failed;
                S.FinishedAt = _time.GetUtcNow();
            }
        }

        _books.ReconcileWithLedger();
        if (S.ExperimentId is not null && !S.State.IsTerminal())
        {
            EnsureTimer();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        Telemetry.Withdraw();
        return Task.CompletedTask;
    }

    public void Dispose() => _deactivating.Dispose();

    public async Task<ExperimentStatus> Start(ExperimentSpec spec, DateTimeOffset submittedAt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (S.ExperimentId is not null)
        {
            return Status();
        }

        S.ExperimentId = ExperimentId;
        S.Spec = spec;
        S.SubmittedAt = submittedAt;
        S.StartedAt = _time.GetUtcNow();
        S.State = ExperimentState.Preparing;
        S.TraceParent = Telemetry.StartExperiment(spec);
        if (!await _store.PersistAsync())
        {
            // Nothing started: the registry reports the failure and the user may submit again.
            throw new InvalidOperationException($"cannot store experiment {ExperimentId}: {_store.LastError?.Message}", _store.LastError);
        }

        Log.StateChanged(_logger, ExperimentId, S.State.ToString());
        await EnsureReminder();
        EnsureTimer();
        StartPreparing();
        return Status();
    }

    public Task<ExperimentStatus> GetStatus() => Task.FromResult(Status());

    public Task<ExperimentSpec?> GetSpec() => Task.FromResult(S.Spec);

    public Task<IReadOnlyList<EvaluationRecord>> GetEvaluations() => Task.FromResult(_ledger.Snapshot());

    public Task<ParetoSet> GetParetoSet()
    {
        if (_pareto.Set is null || _pareto.Evaluated != _ledger.Count || _pareto.State != S.State)
        {
            _pareto = (_ledger.Count, S.State, CoordinatorViews.Pareto(ExperimentId, S, _ledger, Engine, Hypervolume()));
        }

        return Task.FromResult(_pareto.Set);
    }

    public async Task<ExperimentStatus> Cancel()
    {
        if (S.ExperimentId is not null && !S.State.IsTerminal())
        {
            await Finish(ExperimentState.Cancelled);
        }

        return Status();
    }

    public async Task<ExperimentStatus> Pause()
    {
        if (S.State is ExperimentState.Running or ExperimentState.Preparing)
        {
            S.State = ExperimentState.Paused;
            await Persist();
            Log.StateChanged(_logger, ExperimentId, S.State.ToString());
        }

        return Status();
    }

    public async Task<ExperimentStatus> Resume()
    {
        if (S.State == ExperimentState.Paused)
        {
            S.State = Engine is null ? ExperimentState.Preparing : ExperimentState.Running;
            await Persist();
            Log.StateChanged(_logger, ExperimentId, S.State.ToString());
            StartPreparing();
            await _pump.RunAsync();
        }

        return Status();
    }

    public async Task OnEvaluationCompleted(string individualKey, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_books.Completed(individualKey, outcome))
        {
            await _pump.RunAsync();
        }
    }

    public async Task OnEvaluationHandedBack(string individualKey, string reason)
    {
        if (_books.InFlight.TryGetByKey(individualKey, out var candidateId) && _books.InFlight.TryGet(candidateId, out var entry) && entry.Silo is not null)
        {
            Log.Reissuing(_logger, ExperimentId, candidateId, reason);
            _books.Reissue(entry, "handed-back");
            await _pump.RunAsync();
        }
    }

    public Task OnSlotsAvailable() => _pump.RunAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.ExperimentId is null || S.State.IsTerminal())
        {
            await DropReminder();
            return;
        }

        EnsureTimer();
        await Tick();
    }

    private void StartPreparing()
    {
        if (_preparing is null && Engine is null && S.Spec is not null && S.State == ExperimentState.Preparing)
        {
            _preparing = PrepareAsync(S.Spec);
        }
    }

    /// <summary>The backend may train a baseline for minutes: it runs on the thread pool, and this activation continues when it is done.</summary>
    private async Task PrepareAsync(ExperimentSpec spec)
    {
        try
        {
            var search = await ExperimentPreparation.PrepareAsync(_backends.Get(spec.Backend), spec, _time, _deactivating.Token);
            if (S.State.IsTerminal())
            {
                return;
            }

            (_books.Problem, _books.Engine, S.Prepared) = (search.Problem, search.Engine, search.Prepared);
            if (S.State == ExperimentState.Preparing)
            {
                S.State = ExperimentState.Running;
                Log.StateChanged(_logger, ExperimentId, S.State.ToString());
            }

            await Persist();
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Log.PrepareFailed(_logger, ex, ExperimentId);
            _books.AddError($"prepare: {ex.Message}");
            await Finish(ExperimentState.Failed);
            return;
        }
        finally
        {
            _preparing = null;
        }

        await _pump.RunAsync();
    }

    private void EnsureTimer()
    {
        var tick = _options.CoordinatorTick;
        _timer ??= this.RegisterGrainTimer(
            static (self, _) => self.Tick(),
            this,
            new GrainTimerCreationOptions { DueTime = tick, Period = tick, Interleave = false, KeepAlive = true });
    }

    /// <summary>Lease sweep, then a dispatch pass: the safety net that sends refused work again once its hold expires.</summary>
    private async Task Tick()
    {
        if (S.ExperimentId is null || S.State.IsTerminal())
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }

        if (!_store.Healthy && !await Persist())
        {
            return;
        }

        StartPreparing();
        if (Engine is null)
        {
            return;
        }

        // Polling is idempotent: it returns the stored result, joins the evaluation in flight, or runs it again on an
        // activation that lost its predecessor's work.
        var polls = _sweep.Sweep(_time.GetUtcNow(), IsActive);
        _results.Apply(await _dispatcher.DispatchAsync(polls, ExperimentId, S, KeyDeviceClass, _options.DefaultEvaluationDeadline));
        await _pump.RunAsync();
    }

    private bool IsActive(string silo)
    {
        try
        {
            return _membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(silo)) == SiloStatus.Active;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>One dispatch pass: store what is pending, ask for slots, plan, store the plan, then start it.</summary>
    private async Task PumpOnce()
    {
        if (Engine is not { } engine || S.State is not (ExperimentState.Running or ExperimentState.Paused))
        {
            return;
        }

        // Write-ahead: results booked since the last write are stored before anything new goes out.
        if ((_books.Dirty || _ledger.HasUnpersisted || !_store.Healthy) && !await Persist())
        {
            return;
        }

        if (engine.IsTerminated && _books.InFlight.Count == 0)
        {
            await Finish(ExperimentState.Completed);
            return;
        }

        var waiting = _books.InFlight.Waiting();
        var running = S.State == ExperimentState.Running;
        SlotGrant grant;
        try
        {
            grant = await Scheduler.Acquire(_planner.Request(ExperimentId, S.Spec!, S.DeviceClass, waiting, running, !_books.Barrier && !engine.IsTerminated), Self);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(_logger, ex, ExperimentId);
            return;
        }

        _fairShare = grant.FairShare;
        if (S.DeviceClass is null && grant.DeviceClass is not null && grant.Silos.Count > 0 && DeviceClassName.DependsOnDevice(S.Spec!))
        {
            // Measured objectives compare only within one class: the first grant pins it for the experiment's lifetime.
            S.DeviceClass = grant.DeviceClass;
            _books.Dirty = true;
        }

        var now = _time.GetUtcNow();
        var plan = _planner.Plan(waiting, grant.Silos, running && !engine.IsTerminated, engine.Ask, (c, silo) => DispatchPlanner.NewEntry(c, silo, S.Prepared!, KeyDeviceClass, now));
        if (plan.ShortOfCandidates)
        {
            // Generational barrier or budget reached: hand the spare grants back on the next pass.
            _books.Barrier = true;
            _pump.RequestPass();
        }

        // Write-ahead: the engine's pending set and the in-flight map are stored before any individual hears of them. When the
        // write fails nothing goes out: the entries wait for a slot again and the timer retries the write.
        _books.Dirty |= plan.Dispatch.Count > 0;
        if (_books.Dirty && !await Persist())
        {
            foreach (var entry in plan.Dispatch)
            {
                InFlightTable.Release(entry, now);
            }

            return;
        }

        Telemetry.Publish(S, _ledger.Count, _fairShare, Hypervolume());
        if (plan.Dispatch.Count > 0)
        {
            _results.Apply(await _dispatcher.DispatchAsync(plan.Dispatch, ExperimentId, S, KeyDeviceClass, _options.DefaultEvaluationDeadline));
            if (_books.Dirty || _ledger.HasUnpersisted)
            {
                _pump.RequestPass();
            }
        }
    }

    /// <summary>Starts one evaluation; the placement director reads the granted silo from this call's request context.</summary>
    private async Task<EvaluationOutcome?> StartOnGrantedSilo(InFlightEvaluation entry, EvaluationRequest request)
    {
        RequestContext.Set(SlotMetadata.TargetSiloKey, entry.Silo!);
        try
        {
            return await GrainFactory.GetGrain<IIndividualGrain>(entry.Key).StartEvaluation(request, Self);
        }
        finally
        {
            RequestContext.Remove(SlotMetadata.TargetSiloKey);
        }
    }

    private async Task Finish(ExperimentState final)
    {
        await InFlightWithdrawal.WithdrawAsync(
            _books,
            entry => GrainFactory.GetGrain<IIndividualGrain>(entry.Key).Unsubscribe(Self).WaitAsync(EvaluationDispatcher.CallTimeout, _time),
            _events);
        S.State = final;
        S.FinishedAt = _time.GetUtcNow();
        while (!await Persist())
        {
            // The terminal state must be stored before the reminder goes, or a restart would resume a finished search.
            await Task.Delay(_options.CoordinatorTick, _time);
        }

        Log.StateChanged(_logger, ExperimentId, final.ToString());
        Telemetry.Finish(final);
        _timer?.Dispose();
        _timer = null;
        try
        {
            await Scheduler.Leave(ExperimentId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(_logger, ex, ExperimentId);
        }

        await DropReminder();
    }

    private async Task<bool> Persist()
    {
        var wasHealthy = _store.Healthy;
        if (await _store.PersistAsync(() => Engine?.SaveState().ToJson()))
        {
            _books.Dirty = false;
            if (!wasHealthy)
            {
                Log.StorageRecovered(_logger, ExperimentId);
            }

            return true;
        }

        if (wasHealthy)
        {
            Log.PersistFailed(_logger, _store.LastError!, ExperimentId);
        }

        _books.Dirty = true;
        return false;
    }

    private async Task EnsureReminder()
    {
        try
        {
            await this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _books.AddError("no reminder service: the experiment resumes after a silo failure only when called. " + ex.Message);
        }
    }

    private async Task DropReminder()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(_logger, ex, ExperimentId);
        }
    }

    private double? Hypervolume() => _hypervolume.Get(Engine, S.Spec, S.Prepared);

    private ExperimentStatus Status()
    {
        var storage = _store is { Healthy: false, DownSince: { } since }
            ? FormattableString.Invariant($"storage unavailable since {since:HH:mm:ss} UTC; dispatch paused until it is back: {_store.LastError?.Message}")
            : null;
        return CoordinatorViews.Status(ExperimentId, S, _ledger, Engine, Hypervolume(), _fairShare, _localSilo.SiloAddress.ToParsableString(), storage);
    }
}
