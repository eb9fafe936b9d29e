using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Lifecycle;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains;

/// <summary>
/// One experiment's search: a thin Orleans shell over the evolution engine (ask/tell), the <see cref="EvaluationLedger"/>,
/// the <see cref="InFlightTable"/> with its <see cref="LeasePolicy"/>, and the <see cref="WriteAheadStore"/>. It never waits
/// for an evaluation inside a call: it starts each one with a short <see cref="IIndividualGrain.StartEvaluation"/> and the
/// individual reports back through <see cref="OnEvaluationCompleted"/>. A timer polls evaluations not heard of within the
/// lease and re-issues those whose silo left the membership; a reminder re-activates the coordinator after its own silo
/// dies. Write-ahead: nothing is dispatched until the ledger chunks and the state that name it are stored; while storage is
/// down dispatch stops and the timer retries. Reads are interleaved and never wait behind a dispatch.
/// </summary>
internal sealed class PopulationCoordinatorGrain : Grain, IPopulationCoordinatorGrain, IRemindable, IDisposable
{
    private const string ReminderName = "prunercluster-coordinator";
    private const int LedgerChunkSize = 64;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly IPersistentState<CoordinatorState> _state;
    private readonly EvaluationBackendCatalog _backends;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _localSilo;
    private readonly IOptions<PrunerClusterSiloOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PopulationCoordinatorGrain> _logger;
    private readonly IGrainStorage _storage;
    private readonly CancellationTokenSource _deactivating = new();
    private readonly LeasePolicy _lease;
    private EvaluationLedger _ledger = new(LedgerChunkSize);
    private InFlightTable _inFlight = new([]);
    private WriteAheadStore _store = null!;
    private Problem? _problem;
    private Nsga2? _engine;
    private IGrainTimer? _timer;
    private Task? _preparing;
    private bool _pumping;
    private bool _pumpAgain;
    private bool _barrier;
    private bool _dirty;
    private double _fairShare;
    private (int Evaluated, double? Value) _hypervolume = (-1, null);
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
        _options = options;
        _time = time;
        _logger = logger;
        _lease = new LeasePolicy(options.Value.EvaluationLease);
    }

    private CoordinatorState S => _state.State;

    private CoordinatorTelemetry Telemetry => _telemetry ??= new CoordinatorTelemetry(ExperimentId);

    private string ExperimentId => this.GetPrimaryKeyString();

    private IPopulationCoordinatorGrain Self => this.AsReference<IPopulationCoordinatorGrain>();

    private ISlotSchedulerGrain Scheduler => GrainFactory.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);

    private RetryPolicy Retry => new(S.Spec?.MaxAttempts ?? _options.Value.DefaultMaxAttempts);

    /// <summary>The spec's class, else (when a measured objective needs one) the class pinned from the first grant.</summary>
    private string? KeyDeviceClass => S.Spec?.DeviceClass ?? (S.Spec is { } spec && DeviceClassName.DependsOnDevice(spec) ? S.DeviceClass : null);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var chunkSize = S.LedgerChunkSize > 0 ? S.LedgerChunkSize : LedgerChunkSize;
        _ledger = new EvaluationLedger(chunkSize);
        var chunks = new GrainStorageLedgerChunkStore(_storage, this.GetGrainId());
        _store = new WriteAheadStore(_state, chunks, _ledger, _time);

        // Chunks past LedgerCount may exist (written just before a crash, before the state that counts them): read until empty.
        for (var c = 0; ; c++)
        {
            var records = await chunks.ReadChunkAsync(c);
            if (records.Count == 0)
            {
                break;
            }

            _ledger.LoadChunk(c, records);
            if (records.Count < chunkSize)
            {
                break;
            }
        }

        _inFlight = new InFlightTable(S.InFlight);
        _inFlight.ForgetContact();
        Telemetry.Restore(S.TraceParent);
        if (S.Spec is not null && S.Prepared is not null && S.AlgorithmJson is not null)
        {
            try
            {
                _problem = EvolutionMapping.Problem(S.Spec, S.Prepared);
                _engine = Nsga2.Restore(_problem, AlgorithmState.FromJson(S.AlgorithmJson), _time);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                Fail($"cannot restore the search state: {ex.Message}");
            }
        }

        ReconcileWithLedger();
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
            _pareto = (_ledger.Count, S.State, CoordinatorViews.Pareto(ExperimentId, S, _ledger, _engine, Hypervolume()));
        }

        return Task.FromResult(_pareto.Set);
    }

    public async Task<ExperimentStatus> Cancel()
    {
        if (S.ExperimentId is null || S.State.IsTerminal())
        {
            return Status();
        }

        await Finish(ExperimentState.Cancelled);
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
            S.State = _engine is null ? ExperimentState.Preparing : ExperimentState.Running;
            await Persist();
            Log.StateChanged(_logger, ExperimentId, S.State.ToString());
            StartPreparing();
            await Pump();
        }

        return Status();
    }

    public async Task OnEvaluationCompleted(string individualKey, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!_inFlight.TryGetByKey(individualKey, out var candidateId))
        {
            return;
        }

        var entry = _inFlight.Entries.First(e => e.CandidateId == candidateId);
        if (outcome.Kind == FailureKind.Transient)
        {
            OnTransientFailure(entry, string.IsNullOrEmpty(outcome.Silo) ? entry.Silo : outcome.Silo, outcome.FailureReason ?? "transient failure");
        }
        else
        {
            Record(candidateId, outcome, fromCache: false);
        }

        await Pump();
    }

    public async Task OnEvaluationHandedBack(string individualKey, string reason)
    {
        if (_inFlight.TryGetByKey(individualKey, out var candidateId)
            && _inFlight.Entries.FirstOrDefault(e => e.CandidateId == candidateId) is { Silo: not null } entry)
        {
            Log.Reissuing(_logger, ExperimentId, candidateId, reason);
            Reissue(entry, "handed-back");
            await Pump();
        }
    }

    public Task OnSlotsAvailable() => Pump();

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

    /// <summary>In-flight entries the ledger already books were completed before a crash: tell the engine, drop them.</summary>
    private void ReconcileWithLedger()
    {
        foreach (var entry in _inFlight.Entries.ToList())
        {
            if (_ledger.Find(entry.CandidateId) is { } record)
            {
                _inFlight.Remove(entry.CandidateId, out _);
                ResultBooking.Replay(_engine, _problem, record);
                _dirty = true;
            }
        }
    }

    private void StartPreparing()
    {
        if (_preparing is not null || _engine is not null || S.Spec is null || S.State != ExperimentState.Preparing)
        {
            return;
        }

        _preparing = PrepareAsync(S.Spec);
    }

    /// <summary>The backend may train a baseline for minutes: it runs on the thread pool, and this activation continues when it is done.</summary>
    private async Task PrepareAsync(ExperimentSpec spec)
    {
        try
        {
            var backend = _backends.Get(spec.Backend);
            var token = _deactivating.Token;
            PreparedExperiment prepared;
            using (PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityPrepare))
            {
                prepared = await Task.Run(() => backend.PrepareAsync(spec, token), token);
            }

            if (S.State.IsTerminal())
            {
                return;
            }

            _problem = EvolutionMapping.Problem(spec, prepared);
            var settings = EvolutionMapping.Settings(spec, prepared);
            settings.Validate(_problem);
            _engine = Nsga2.Create(_problem, settings, _time);
            S.Prepared = prepared;
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
            AddError($"prepare: {ex.Message}");
            await Finish(ExperimentState.Failed);
            return;
        }
        finally
        {
            _preparing = null;
        }

        await Pump();
    }

    private void EnsureTimer()
    {
        var tick = _options.Value.CoordinatorTick;
        _timer ??= this.RegisterGrainTimer(
            static (self, _) => self.Tick(),
            this,
            new GrainTimerCreationOptions { DueTime = tick, Period = tick, Interleave = false, KeepAlive = true });
    }

    private async Task Tick()
    {
        if (S.ExperimentId is null)
        {
            return;
        }

        if (S.State.IsTerminal())
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
        if (_engine is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var polls = new List<InFlightEvaluation>();
        foreach (var entry in _inFlight.Entries)
        {
            switch (_lease.Decide(entry, now, IsActive))
            {
                case LeaseAction.Reissue:
                    Log.Reissuing(_logger, ExperimentId, entry.CandidateId, "silo " + entry.Silo + " is gone");
                    OnTransientFailure(entry, entry.Silo, "silo " + entry.Silo + " left the cluster during the evaluation");
                    break;
                case LeaseAction.Poll:
                    polls.Add(entry);
                    break;
            }
        }

        // Polling is idempotent: it returns the stored result, joins the evaluation in flight, or runs it again on an
        // activation that lost its predecessor's work.
        var polled = await Task.WhenAll(polls.Select(Dispatch));
        HandleDispatchResults(polled);
        await Pump();
    }

    private void Reissue(InFlightEvaluation entry, string reason)
    {
        InFlightTable.Release(entry, _time.GetUtcNow());
        S.Reissued++;
        Telemetry.Reissued(entry.CandidateId, reason);
        _dirty = true;
    }

    /// <summary>Retries elsewhere, or records the candidate as failed once the retry cap is reached.</summary>
    private void OnTransientFailure(InFlightEvaluation entry, string? silo, string reason)
    {
        var retry = Retry;
        if (retry.OnTransientFailure(entry, silo, reason) == RetryDecision.Retry)
        {
            Log.TransientFailure(_logger, ExperimentId, entry.CandidateId, reason, "retrying on another silo");
            Reissue(entry, "transient-failure");
            return;
        }

        Log.TransientFailure(_logger, ExperimentId, entry.CandidateId, reason, "retry cap reached");
        Record(entry.CandidateId, EvaluationOutcome.TransientFailure(retry.GiveUpReason(entry), silo ?? ""), fromCache: false);
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

    /// <summary>Fills granted slots with work: one pass at a time, repeated while results or grants keep arriving.</summary>
    private async Task Pump()
    {
        if (_pumping)
        {
            _pumpAgain = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _pumpAgain = false;
                await PumpOnce();
            }
            while (_pumpAgain);
        }
        finally
        {
            _pumping = false;
        }
    }

    private async Task PumpOnce()
    {
        if (_engine is null || S.State is not (ExperimentState.Running or ExperimentState.Paused))
        {
            return;
        }

        // Write-ahead: results booked since the last write are stored before anything new goes out.
        if ((_dirty || _ledger.HasUnpersisted || !_store.Healthy) && !await Persist())
        {
            return;
        }

        if (_engine.IsTerminated && _inFlight.Count == 0)
        {
            await Finish(ExperimentState.Completed);
            return;
        }

        var waiting = _inFlight.Waiting();
        var running = S.State == ExperimentState.Running;
        var want = running ? waiting.Count + (_barrier || _engine.IsTerminated ? 0 : NewWorkWanted()) : 0;
        SlotGrant grant;
        try
        {
            grant = await Scheduler.Acquire(
                new SlotRequest
                {
                    ExperimentId = ExperimentId,
                    Weight = S.Spec!.ShareWeight,
                    Cap = S.Spec.MaxConcurrency,
                    Want = want,
                    Held = _inFlight.HeldPerSilo(),
                    DeviceClass = S.Spec.DeviceClass ?? S.DeviceClass,
                    Avoid = RetryPolicy.AvoidList(waiting),
                    SingleClass = S.Spec.DeviceClass is not null || DeviceClassName.DependsOnDevice(S.Spec),
                },
                Self);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(_logger, ex, ExperimentId);
            return;
        }

        _fairShare = grant.FairShare;
        if (S.DeviceClass is null && grant.DeviceClass is not null && grant.Silos.Count > 0 && DeviceClassName.DependsOnDevice(S.Spec))
        {
            // Measured objectives compare only within one class: the first grant pins it for the experiment's lifetime.
            S.DeviceClass = grant.DeviceClass;
            _dirty = true;
        }

        var dispatch = new List<InFlightEvaluation>();
        var now = _time.GetUtcNow();
        var (assigned, slots) = RetryPolicy.Assign(waiting, grant.Silos);
        foreach (var (entry, silo) in assigned)
        {
            entry.Silo = silo;
            entry.LastContact = now;
            dispatch.Add(entry);
            _dirty = true;
        }

        if (running && slots.Count > 0 && !_engine.IsTerminated)
        {
            var granted = slots.Count;
            var candidates = _engine.Ask(granted);
            if (candidates.Count < granted)
            {
                // Generational barrier or budget reached: hand the spare grants back on the next pass.
                _barrier = true;
                _pumpAgain = true;
            }

            foreach (var candidate in candidates)
            {
                dispatch.Add(Track(candidate, slots.Dequeue()));
            }

            if (candidates.Count > 0)
            {
                _dirty = true;
            }
        }

        // Write-ahead: the engine's pending set and the in-flight map are stored before any individual hears of them. When the
        // write fails nothing goes out: the entries wait for a slot again and the timer retries the write.
        if (_dirty && !await Persist())
        {
            foreach (var entry in dispatch)
            {
                InFlightTable.Release(entry, now);
            }

            return;
        }

        Telemetry.Publish(S, _ledger.Count, _fairShare, Hypervolume());
        if (dispatch.Count > 0)
        {
            var results = await Task.WhenAll(dispatch.Select(Dispatch));
            HandleDispatchResults(results);
            if (_dirty || _ledger.HasUnpersisted)
            {
                _pumpAgain = true;
            }
        }
    }

    private int NewWorkWanted()
    {
        var cap = S.Spec!.MaxConcurrency > 0 ? S.Spec.MaxConcurrency : 4096;
        return Math.Max(0, cap - _inFlight.Count);
    }

    private InFlightEvaluation Track(Candidate candidate, string silo)
    {
        var maskHash = candidate.Genome.ContentHash;
        var entry = new InFlightEvaluation
        {
            CandidateId = candidate.Id,
            MaskText = candidate.Genome.ToCanonicalString(),
            MaskHash = maskHash,
            Key = IndividualKey.Compute(S.Prepared!.CheckpointHash, S.Prepared.SettingsHash, maskHash, KeyDeviceClass).Value,
            Generation = candidate.Generation,
            Silo = silo,
            LastContact = _time.GetUtcNow(),
        };
        _inFlight.Add(entry);
        return entry;
    }

    private async Task<(InFlightEvaluation Entry, EvaluationOutcome? Outcome, Exception? Error)> Dispatch(InFlightEvaluation entry)
    {
        var request = new EvaluationRequest
        {
            ExperimentId = ExperimentId,
            CandidateId = entry.CandidateId,
            Spec = S.Spec!,
            Prepared = S.Prepared!,
            MaskText = entry.MaskText,
            MaskHash = entry.MaskHash,
            DeviceClass = KeyDeviceClass,
            Deadline = DeadlinePolicy.Resolve(S.Spec!, _options.Value.DefaultEvaluationDeadline),
        };
        entry.Attempts++;
        Telemetry.Dispatching(entry.CandidateId, entry.Key, entry.Attempts);

        // Scoped to this async flow only: the placement director reads the granted silo when it creates the activation.
        RequestContext.Set(SlotMetadata.TargetSiloKey, entry.Silo!);
        try
        {
            var outcome = await GrainFactory.GetGrain<IIndividualGrain>(entry.Key)
                .StartEvaluation(request, Self)
                .WaitAsync(CallTimeout, _time);
            return (entry, outcome, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (entry, null, ex);
        }
        finally
        {
            RequestContext.Remove(SlotMetadata.TargetSiloKey);
        }
    }

    private void HandleDispatchResults(IEnumerable<(InFlightEvaluation Entry, EvaluationOutcome? Outcome, Exception? Error)> results)
    {
        foreach (var (entry, outcome, error) in results)
        {
            if (!_inFlight.Contains(entry.CandidateId))
            {
                continue;
            }

            if (error is SlotUnavailableException)
            {
                // Refused (full, another device class, or the activation moves to the granted silo): not an attempt.
                Log.DispatchFailed(_logger, error, ExperimentId, entry.CandidateId, entry.Key);
                Reissue(entry, "refused");
                continue;
            }

            if (error is not null)
            {
                Log.DispatchFailed(_logger, error, ExperimentId, entry.CandidateId, entry.Key);
                OnTransientFailure(entry, entry.Silo, "dispatch failed: " + error.Message);
                continue;
            }

            entry.LastContact = _time.GetUtcNow();
            if (outcome is not null)
            {
                S.CacheHits++;
                Telemetry.CacheHit();
                Record(entry.CandidateId, outcome, fromCache: true);
            }
        }
    }

    /// <summary>Tells the engine one result (failures included) and books it in the ledger exactly once.</summary>
    private void Record(long candidateId, EvaluationOutcome outcome, bool fromCache)
    {
        if (!_inFlight.Remove(candidateId, out var entry))
        {
            return;
        }

        var record = ResultBooking.Book(_engine, _problem, entry, outcome, fromCache, _time.GetUtcNow(), out var error);
        if (error is not null)
        {
            AddError(error);
        }

        _ledger.Append(record);
        Telemetry.Booked(candidateId, record.Succeeded, fromCache, outcome.Silo);
        _barrier = false;
        _dirty = true;
    }

    private async Task Finish(ExperimentState final)
    {
        await StopInFlight();
        S.State = final;
        S.FinishedAt = _time.GetUtcNow();
        while (!await Persist())
        {
            // The terminal state must be stored before the reminder goes, or a restart would resume a finished search.
            await Task.Delay(_options.Value.CoordinatorTick, _time);
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

    /// <summary>
    /// Withdraws from every evaluation still in flight: an individual that no other experiment waits for cancels its work,
    /// so the slots free within the backend's cancellation latency. Nothing of it is booked.
    /// </summary>
    private async Task StopInFlight()
    {
        var entries = _inFlight.Entries.ToList();
        if (entries.Count == 0)
        {
            return;
        }

        await Task.WhenAll(entries.Where(e => e.Silo is not null).Select(async entry =>
        {
            try
            {
                await GrainFactory.GetGrain<IIndividualGrain>(entry.Key).Unsubscribe(Self).WaitAsync(CallTimeout, _time);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.DispatchFailed(_logger, ex, ExperimentId, entry.CandidateId, entry.Key);
            }
        }));
        foreach (var entry in entries)
        {
            _inFlight.Remove(entry.CandidateId, out _);
        }

        _dirty = true;
    }

    private void Fail(string reason)
    {
        AddError(reason);
        S.State = ExperimentState.Failed;
        S.FinishedAt = _time.GetUtcNow();
    }

    private async Task<bool> Persist()
    {
        var wasHealthy = _store.Healthy;
        if (await _store.PersistAsync(() => _engine?.SaveState().ToJson()))
        {
            _dirty = false;
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

        _dirty = true;
        return false;
    }

    private void AddError(string error)
    {
        S.Errors.Add(error);
        var max = _options.Value.MaxRecordedErrors;
        if (S.Errors.Count > max)
        {
            S.Errors.RemoveRange(0, S.Errors.Count - max);
        }
    }

    private async Task EnsureReminder()
    {
        try
        {
            var period = _options.Value.ReminderPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            AddError("no reminder service: the experiment resumes after a silo failure only when called. " + ex.Message);
        }
    }

    private async Task DropReminder()
    {
        try
        {
            var reminder = await this.GetReminder(ReminderName);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(_logger, ex, ExperimentId);
        }
    }

    private double? Hypervolume()
    {
        if (_engine is null || S.Spec is null || S.Prepared is null)
        {
            return null;
        }

        if (_hypervolume.Evaluated != _engine.EvaluationCount)
        {
            _hypervolume = (_engine.EvaluationCount, _engine.ParetoFront.Count == 0 ? 0 : _engine.Hypervolume(EvolutionMapping.ReferencePoint(S.Spec, S.Prepared)));
        }

        return _hypervolume.Value;
    }

    private ExperimentStatus Status()
    {
        var storage = _store is { Healthy: false, DownSince: { } since }
            ? FormattableString.Invariant($"storage unavailable since {since:HH:mm:ss} UTC; dispatch paused until it is back: {_store.LastError?.Message}")
            : null;
        return CoordinatorViews.Status(ExperimentId, S, _ledger, _engine, Hypervolume(), _fairShare, _localSilo.SiloAddress.ToParsableString(), storage);
    }
}
