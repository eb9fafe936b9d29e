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
internal sealed class PopulationCoordinatorGrain(
    [PersistentState("experiment", PrunerClusterStorage.Name)] IPersistentState<CoordinatorState> state,
    [FromKeyedServices(PrunerClusterStorage.Name)] IGrainStorage storage,
    EvaluationBackendCatalog backends,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<PrunerClusterSiloOptions> options,
    TimeProvider time,
    ILogger<PopulationCoordinatorGrain> logger) : Grain, IPopulationCoordinatorGrain, IRemindable, IDispatchHost, IDisposable
{
    private const int LedgerChunkSize = 64;

    private readonly PrunerClusterSiloOptions _options = options.Value;
    private readonly CancellationTokenSource _deactivating = new();

    /// <summary>Cancels a baseline still being prepared when the experiment is cancelled, so its silo stops training at once.</summary>
    private CancellationTokenSource? _preparation;
    private PreparationProgress? _preparationProgress;
    private readonly HypervolumeCache _hypervolume = new();
    private DispatchPump? _pump;
    private EvaluationLedger _ledger = new(LedgerChunkSize);
    private WriteAheadStore _store = null!;
    private EvaluationBookkeeper _books = null!;
    private DispatchResultHandler _results = null!;
    private EvaluationDispatcher _dispatcher = null!;
    private DispatchPass _pass = null!;
    private LeaseSweep _sweep = null!;
    private ICoordinatorEvents _events = null!;
    private IGrainTimer? _timer;
    private Task? _preparing;
    private (int Evaluated, ExperimentState State, ParetoSet? Set) _pareto = (-1, ExperimentState.Pending, null);
    private CoordinatorTelemetry? _telemetry;

    private CoordinatorState S => state.State;

    private ISearchAlgorithm? Engine => _books.Engine;

    private CoordinatorTelemetry Telemetry => _telemetry ??= new CoordinatorTelemetry(ExperimentId);

    private string ExperimentId => this.GetPrimaryKeyString();

    private IPopulationCoordinatorGrain Self => this.AsReference<IPopulationCoordinatorGrain>();

    private ISlotSchedulerGrain Scheduler => GrainFactory.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);

    private DispatchPump Pump => _pump ??= new DispatchPump(async () =>
    {
        if (await _pass.RunOnceAsync(ExperimentId))
        {
            Pump.RequestPass();
        }
    });

    bool IDispatchHost.StorageHealthy => _store.Healthy;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ledger = new EvaluationLedger(S.LedgerChunkSize > 0 ? S.LedgerChunkSize : LedgerChunkSize);
        var chunks = new GrainStorageLedgerChunkStore(storage, this.GetGrainId());
        _store = new WriteAheadStore(state, chunks, _ledger, time);
        await LedgerRecovery.LoadAsync(chunks, _ledger);

        var inFlight = new InFlightTable(S.InFlight);
        inFlight.ForgetContact();
        var refusals = new RefusalMemory(_options.CoordinatorTick * 5);
        _events = new CoordinatorEventLog(logger, ExperimentId, () => Telemetry);
        _books = new EvaluationBookkeeper(S, inFlight, _ledger, refusals, _events, time, _options.DefaultMaxAttempts, _options.MaxRecordedErrors);
        _results = new DispatchResultHandler(_books, S, _events, time);
        _dispatcher = new EvaluationDispatcher(StartOnGrantedSilo, _events, time);
        _pass = new DispatchPass(S, _books, new DispatchPlanner(inFlight, refusals, time), _results, this, time);
        _sweep = new LeaseSweep(new LeasePolicy(_options.EvaluationLease), _books, (id, why) => Log.Reissuing(logger, ExperimentId, id, why));
        Telemetry.Restore(S.TraceParent);
        if (S.Spec is not null && S.Prepared is not null && S.AlgorithmJson is not null)
        {
            try
            {
                var search = ExperimentPreparation.Restore(S.Spec, S.Prepared, S.AlgorithmJson, time);
                (_books.Problem, _books.Engine) = (search.Problem, search.Engine);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                _books.AddError($"cannot restore the search state: {ex.Message}");
                S.State = ExperimentState.Failed;
                S.FinishedAt = time.GetUtcNow();
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

    public void Dispose()
    {
        _deactivating.Dispose();
        _preparation?.Dispose();
    }

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
        S.StartedAt = time.GetUtcNow();
        S.State = ExperimentState.Preparing;
        S.TraceParent = Telemetry.StartExperiment(spec);
        if (!await _store.PersistAsync())
        {
            // Nothing started: the registry reports the failure and the user may submit again.
            throw new InvalidOperationException($"cannot store experiment {ExperimentId}: {_store.LastError?.Message}", _store.LastError);
        }

        Log.StateChanged(logger, ExperimentId, S.State.ToString());
        await EnsureReminder();
        EnsureTimer();
        StartPreparing();
        return Status();
    }

    public Task<ExperimentStatus> GetStatus() => Task.FromResult(Status());

    public Task<ExperimentSpec?> GetSpec() => Task.FromResult(S.Spec);

    public Task<FinalRecoveryResult?> GetFinalRecovery() =>
        Task.FromResult(S.Spec is null ? null : FinalRecoveryStage.Result(S.Spec, S.FinalJobs, (S.FinishedAt ?? time.GetUtcNow()) - (S.RecoveryStartedAt ?? time.GetUtcNow())));

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
            await (_preparation?.CancelAsync() ?? Task.CompletedTask);
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
            Log.StateChanged(logger, ExperimentId, S.State.ToString());
        }

        return Status();
    }

    public async Task<ExperimentStatus> Resume()
    {
        if (S.State == ExperimentState.Paused)
        {
            S.State = Engine is null ? ExperimentState.Preparing : ExperimentState.Running;
            await Persist();
            Log.StateChanged(logger, ExperimentId, S.State.ToString());
            StartPreparing();
            await Pump.RunAsync();
        }

        return Status();
    }

    public async Task OnEvaluationCompleted(string individualKey, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_books.Completed(individualKey, outcome))
        {
            await Pump.RunAsync();
        }
    }

    public async Task OnEvaluationHandedBack(string individualKey, string reason)
    {
        if (_books.InFlight.TryGetByKey(individualKey, out var candidateId) && _books.InFlight.TryGet(candidateId, out var entry) && entry.Silo is not null)
        {
            Log.Reissuing(logger, ExperimentId, candidateId, reason);
            _books.Reissue(entry, "handed-back");
            await Pump.RunAsync();
        }
    }

    public Task OnSlotsAvailable() => Pump.RunAsync();

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
        _preparation?.Dispose();
        _preparation = CancellationTokenSource.CreateLinkedTokenSource(_deactivating.Token);
        try
        {
            // Reported from the training thread: only a reference is swapped, and the status view reads whichever is latest.
            var progress = new SynchronousProgress<PreparationProgress>(p => Volatile.Write(ref _preparationProgress, p));
            var search = await ExperimentPreparation.PrepareAsync(backends.Get(spec.Backend), spec, time, _preparation.Token, progress);
            if (S.State.IsTerminal())
            {
                return;
            }

            (_books.Problem, _books.Engine, S.Prepared) = (search.Problem, search.Engine, search.Prepared);
            if (search.Prepared.InputNormalization is { } normalization)
            {
                _books.AddError(ExperimentStatus.NormalizationPrefix + normalization);
            }

            foreach (var warning in search.Prepared.Warnings)
            {
                _books.AddError(ExperimentStatus.WarningPrefix + warning);
            }

            LatencyScales.SeedFromPrepared(S.LatencyScales, search.Prepared, _options.EffectiveDeviceClass);
            if (S.State == ExperimentState.Preparing)
            {
                S.State = ExperimentState.Running;
                Log.StateChanged(logger, ExperimentId, S.State.ToString());
            }

            await Persist();
        }
        catch (OperationCanceledException) when (_preparation.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (!S.State.IsTerminal())
        {
            Log.PrepareFailed(logger, ex, ExperimentId);
            _books.AddError($"prepare: {ex.Message}");
            await Finish(ExperimentState.Failed);
            return;
        }
        finally
        {
            _preparing = null;
        }

        await Pump.RunAsync();
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
        var polls = _sweep.Sweep(time.GetUtcNow(), silo => MembershipStatus.IsActive(membership.CurrentSnapshot, silo));
        _results.Apply(await Dispatch(polls));
        await Pump.RunAsync();
    }

    Task<SlotGrant> IDispatchHost.AcquireAsync(SlotRequest request) => Scheduler.Acquire(request, Self);

    Task<DispatchResult[]> IDispatchHost.DispatchAsync(IReadOnlyList<InFlightEvaluation> entries) => Dispatch(entries);

    Task IDispatchHost.CompleteAsync() => CompleteAsync();

    Task<bool> IDispatchHost.PersistAsync() => Persist();

    void IDispatchHost.SchedulerFailed(Exception error) => Log.SchedulerFailed(logger, error, ExperimentId);

    void IDispatchHost.Publish(double fairShare) => Telemetry.Publish(S, _ledger.Count, fairShare, Hypervolume());

    private Task<DispatchResult[]> Dispatch(IEnumerable<InFlightEvaluation> entries) =>
        _dispatcher.DispatchAsync(entries, ExperimentId, S, DispatchPlanner.KeyDeviceClass(S), _options.DefaultEvaluationDeadline);

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

    /// <summary>
    /// The search (or its final recovery) has no work left. After the search, final recovery is planned and goes out as
    /// cluster work when the spec asks for it; the experiment completes once its jobs are booked.
    /// </summary>
    private async Task CompleteAsync()
    {
        if (S.State == ExperimentState.Running && S.FinalJobs is null && FinalRecoveryStage.Wanted(S.Spec))
        {
            var jobs = FinalRecoveryStage.Plan(S.Spec!, S.Prepared!, await GetParetoSet(), DispatchPlanner.KeyDeviceClass(S));
            if (jobs.Count > 0)
            {
                var now = time.GetUtcNow();
                (S.FinalJobs, S.RecoveryStartedAt, S.State) = (jobs, now, ExperimentState.Recovering);
                foreach (var job in FinalRecoveryStage.Dispatched(jobs))
                {
                    _books.InFlight.Add(FinalRecoveryStage.Entry(job, now));
                }

                _books.Dirty = true;
                Log.StateChanged(logger, ExperimentId, S.State.ToString());
                await Persist();
                Pump.RequestPass();
                return;
            }
        }

        await Finish(ExperimentState.Completed);
    }

    private async Task Finish(ExperimentState final)
    {
        await InFlightWithdrawal.WithdrawAsync(
            _books,
            entry => GrainFactory.GetGrain<IIndividualGrain>(entry.Key).Unsubscribe(Self).WaitAsync(EvaluationDispatcher.CallTimeout, time),
            _events);
        S.State = final;
        S.FinishedAt = time.GetUtcNow();
        while (!await Persist())
        {
            // The terminal state must be stored before the reminder goes, or a restart would resume a finished search.
            await Task.Delay(_options.CoordinatorTick, time);
        }

        Log.StateChanged(logger, ExperimentId, final.ToString());
        Telemetry.Finish(final);
        _timer?.Dispose();
        _timer = null;
        try
        {
            await Scheduler.Leave(ExperimentId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(logger, ex, ExperimentId);
        }

        await DropReminder();
    }

    private async Task<bool> Persist()
    {
        var stored = await _store.PersistAsync(() => Engine?.SaveState().ToJson(), () => Log.StorageRecovered(logger, ExperimentId), ex => Log.PersistFailed(logger, ex, ExperimentId));
        _books.Dirty = !stored;
        return stored;
    }

    private async Task EnsureReminder()
    {
        if (await CoordinatorReminder.EnsureAsync(this, _options.ReminderPeriod) is { } error)
        {
            _books.AddError(error);
        }
    }

    private async Task DropReminder()
    {
        if (await CoordinatorReminder.DropAsync(this) is { } error)
        {
            Log.SchedulerFailed(logger, error, ExperimentId);
        }
    }

    private double? Hypervolume() => _hypervolume.Get(Engine, S.Spec, S.Prepared);

    private ExperimentStatus Status() =>
        CoordinatorViews.Status(ExperimentId, S, _ledger, Engine, Hypervolume(), _pass?.FairShare ?? 0, localSilo.SiloAddress.ToParsableString(), CoordinatorViews.StorageProblem(_store), Volatile.Read(ref _preparationProgress));
}
