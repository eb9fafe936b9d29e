using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains;

/// <summary>
/// One experiment's search. It drives the evolution library's ask/tell engine and never waits for an evaluation inside a
/// call: evaluations take minutes and every Orleans call must finish within the 30 s response timeout, so it starts each
/// one with a short <see cref="IIndividualGrain.StartEvaluation"/> and the individual reports back through
/// <see cref="OnEvaluationCompleted"/>. A grain timer re-polls evaluations not heard of within the lease and re-issues those
/// whose silo left the membership (the individual re-activates elsewhere and, with no stored result, runs again); a
/// reminder re-activates the coordinator itself after its own silo dies, and the persisted state lets it continue exactly
/// where it stopped. Slots come from the cluster's fair-share scheduler, one grant per evaluation.
/// </summary>
internal sealed class PopulationCoordinatorGrain(
    [PersistentState("experiment", PrunerClusterStorage.Name)] IPersistentState<CoordinatorState> state,
    EvaluationBackendCatalog backends,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<PrunerClusterSiloOptions> options,
    TimeProvider time,
    ILogger<PopulationCoordinatorGrain> logger) : Grain, IPopulationCoordinatorGrain, IRemindable, IDisposable
{
    private const string ReminderName = "prunercluster-coordinator";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _deactivating = new();
    private readonly Dictionary<string, long> _candidateByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<long, EvaluationRecord> _ledgerById = [];
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
    private CoordinatorTelemetry? _telemetry;

    private CoordinatorState S => state.State;

    private CoordinatorTelemetry Telemetry => _telemetry ??= new CoordinatorTelemetry(ExperimentId);

    private string ExperimentId => this.GetPrimaryKeyString();

    private IPopulationCoordinatorGrain Self => this.AsReference<IPopulationCoordinatorGrain>();

    private ISlotSchedulerGrain Scheduler => GrainFactory.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var record in S.Ledger)
        {
            _ledgerById[record.CandidateId] = record;
        }

        foreach (var entry in S.InFlight.Values)
        {
            _candidateByKey[entry.Key] = entry.CandidateId;

            // Whatever happened while this coordinator was away, ask every in-flight individual again on the first tick.
            entry.LastContact = DateTimeOffset.MinValue;
        }

        Telemetry.Restore(S.TraceParent);

        if (S.Spec is not null && S.Prepared is not null && S.AlgorithmJson is not null)
        {
            try
            {
                _problem = EvolutionMapping.Problem(S.Spec, S.Prepared);
                _engine = Nsga2.Restore(_problem, AlgorithmState.FromJson(S.AlgorithmJson), time);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                Fail($"cannot restore the search state: {ex.Message}");
            }
        }

        if (S.ExperimentId is not null && !S.State.IsTerminal())
        {
            EnsureTimer();
        }

        return Task.CompletedTask;
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
        S.StartedAt = time.GetUtcNow();
        S.State = ExperimentState.Preparing;
        S.TraceParent = Telemetry.StartExperiment(spec);
        await state.WriteStateAsync();
        Log.StateChanged(logger, ExperimentId, S.State.ToString());
        await EnsureReminder();
        EnsureTimer();
        StartPreparing();
        return Status();
    }

    public Task<ExperimentStatus> GetStatus() => Task.FromResult(Status());

    public Task<ExperimentSpec?> GetSpec() => Task.FromResult(S.Spec);

    public Task<IReadOnlyList<EvaluationRecord>> GetEvaluations() => Task.FromResult<IReadOnlyList<EvaluationRecord>>(S.Ledger.ToArray());

    public Task<ParetoSet> GetParetoSet()
    {
        var entries = new List<ParetoEntry>();
        if (_engine is not null)
        {
            foreach (var member in _engine.ParetoFront)
            {
                var record = _ledgerById.GetValueOrDefault(member.CandidateId);
                entries.Add(new ParetoEntry
                {
                    CandidateId = member.CandidateId,
                    MaskText = member.Genome.ToCanonicalString(),
                    MaskHash = member.Genome.ContentHash,
                    IndividualKey = record?.IndividualKey ?? "",
                    Metrics = record?.Metrics ?? new Dictionary<string, double>(),
                    Generation = record?.Generation ?? 0,
                    Silo = record?.Silo ?? "",
                    EnergySource = record?.EnergySource ?? "",
                });
            }
        }

        var first = S.Spec is { Objectives.Count: > 0 } ? S.Spec.Objectives[0] : null;
        var sorted = first is null
            ? entries
            : entries.OrderBy(e => e.Metrics.GetValueOrDefault(first.Metric) * (first.Direction == ObjectiveDirection.Maximize ? -1 : 1)).ThenBy(e => e.CandidateId).ToList();
        return Task.FromResult(new ParetoSet
        {
            ExperimentId = ExperimentId,
            Objectives = S.Spec?.Objectives ?? [],
            Entries = sorted,
            Evaluated = S.Ledger.Count,
            Hypervolume = Hypervolume(),
            BaselineMetrics = S.Prepared?.BaselineMetrics ?? new Dictionary<string, double>(),
        });
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
            Log.StateChanged(logger, ExperimentId, S.State.ToString());
        }

        return Status();
    }

    public async Task<ExperimentStatus> Resume()
    {
        if (S.State == ExperimentState.Paused)
        {
            S.State = _engine is null ? ExperimentState.Preparing : ExperimentState.Running;
            await Persist();
            Log.StateChanged(logger, ExperimentId, S.State.ToString());
            StartPreparing();
            await Pump();
        }

        return Status();
    }

    public async Task OnEvaluationCompleted(string individualKey, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!_candidateByKey.TryGetValue(individualKey, out var candidateId))
        {
            return;
        }

        Record(candidateId, outcome, fromCache: false);
        await Pump();
    }

    public async Task OnEvaluationHandedBack(string individualKey, string reason)
    {
        if (_candidateByKey.TryGetValue(individualKey, out var candidateId) && S.InFlight.TryGetValue(candidateId, out var entry) && entry.Silo is not null)
        {
            Log.Reissuing(logger, ExperimentId, candidateId, reason);
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
            var backend = backends.Get(spec.Backend);
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
            _engine = Nsga2.Create(_problem, settings, time);
            S.Prepared = prepared;
            S.AlgorithmJson = _engine.SaveState().ToJson();
            if (S.State == ExperimentState.Preparing)
            {
                S.State = ExperimentState.Running;
                Log.StateChanged(logger, ExperimentId, S.State.ToString());
            }

            await Persist();
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Log.PrepareFailed(logger, ex, ExperimentId);
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
        var tick = options.Value.CoordinatorTick;
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

        StartPreparing();
        if (_engine is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var lease = options.Value.EvaluationLease;
        var polls = new List<InFlightEvaluation>();
        foreach (var entry in S.InFlight.Values.OrderBy(e => e.CandidateId))
        {
            if (entry.Silo is null)
            {
                continue;
            }

            if (!IsActive(entry.Silo))
            {
                // The silo left the membership: its activation (and slot thread) died with it. Ask for a fresh slot.
                Log.Reissuing(logger, ExperimentId, entry.CandidateId, "silo " + entry.Silo + " is gone");
                Reissue(entry, "silo-gone");
            }
            else if (now - entry.LastContact >= lease)
            {
                polls.Add(entry);
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
        entry.Silo = null;
        entry.LastContact = time.GetUtcNow();
        S.Reissued++;
        Telemetry.Reissued(entry.CandidateId, reason);
        _dirty = true;
    }

    private bool IsActive(string silo)
    {
        try
        {
            return membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(silo)) == SiloStatus.Active;
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

        if (_engine.IsTerminated && S.InFlight.Count == 0)
        {
            await Finish(ExperimentState.Completed);
            return;
        }

        var waiting = S.InFlight.Values.Where(e => e.Silo is null).OrderBy(e => e.CandidateId).ToList();
        var running = S.State == ExperimentState.Running;
        var want = running ? waiting.Count + (_barrier || _engine.IsTerminated ? 0 : NewWorkWanted()) : 0;
        SlotGrant grant;
        try
        {
            grant = await Scheduler.Acquire(
                new SlotRequest { ExperimentId = ExperimentId, Weight = S.Spec!.ShareWeight, Cap = S.Spec.MaxConcurrency, Want = want, Held = Held() },
                Self);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SchedulerFailed(logger, ex, ExperimentId);
            await PersistIfDirty();
            return;
        }

        _fairShare = grant.FairShare;
        var dispatch = new List<InFlightEvaluation>();
        var slots = new Queue<string>(grant.Silos);
        foreach (var entry in waiting)
        {
            if (slots.Count == 0)
            {
                break;
            }

            entry.Silo = slots.Dequeue();
            entry.LastContact = time.GetUtcNow();
            dispatch.Add(entry);
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

        // Write-ahead: the engine's pending set and the in-flight map are stored before any individual hears of them.
        await PersistIfDirty();
        Telemetry.Publish(S, _fairShare, Hypervolume());
        if (dispatch.Count > 0)
        {
            var results = await Task.WhenAll(dispatch.Select(Dispatch));
            HandleDispatchResults(results);
            if (_dirty)
            {
                _pumpAgain = true;
            }
        }
    }

    private int NewWorkWanted()
    {
        var cap = S.Spec!.MaxConcurrency > 0 ? S.Spec.MaxConcurrency : 4096;
        return Math.Max(0, cap - S.InFlight.Count);
    }

    private InFlightEvaluation Track(Candidate candidate, string silo)
    {
        var maskHash = candidate.Genome.ContentHash;
        var entry = new InFlightEvaluation
        {
            CandidateId = candidate.Id,
            MaskText = candidate.Genome.ToCanonicalString(),
            MaskHash = maskHash,
            Key = IndividualKey.Compute(S.Prepared!.CheckpointHash, S.Prepared.SettingsHash, maskHash).Value,
            Generation = candidate.Generation,
            Silo = silo,
            LastContact = time.GetUtcNow(),
        };
        S.InFlight[entry.CandidateId] = entry;
        _candidateByKey[entry.Key] = entry.CandidateId;
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
        };
        entry.Attempts++;
        Telemetry.Dispatching(entry.CandidateId, entry.Key, entry.Attempts);

        // Scoped to this async flow only: the placement director reads the granted silo when it creates the activation.
        RequestContext.Set(SlotMetadata.TargetSiloKey, entry.Silo!);
        try
        {
            var outcome = await GrainFactory.GetGrain<IIndividualGrain>(entry.Key)
                .StartEvaluation(request, Self)
                .WaitAsync(CallTimeout, time);
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
            if (!S.InFlight.ContainsKey(entry.CandidateId))
            {
                continue;
            }

            if (error is not null)
            {
                Log.DispatchFailed(logger, error, ExperimentId, entry.CandidateId, entry.Key);
                Reissue(entry, "dispatch-failed");
                continue;
            }

            entry.LastContact = time.GetUtcNow();
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
        if (!S.InFlight.Remove(candidateId, out var entry))
        {
            return;
        }

        _candidateByKey.Remove(entry.Key);
        var succeeded = outcome.Succeeded;
        var reason = outcome.FailureReason;
        if (_engine is not null && _problem is not null && _engine.PendingIds.Contains(candidateId))
        {
            if (succeeded)
            {
                try
                {
                    _engine.Tell(candidateId, _problem.Assess(outcome.Metrics));
                }
                catch (ArgumentException ex)
                {
                    succeeded = false;
                    reason = "metrics unusable: " + ex.Message;
                    _engine.TellFailure(candidateId, reason);
                }
            }
            else
            {
                _engine.TellFailure(candidateId, reason ?? "unknown failure");
            }
        }

        if (!succeeded)
        {
            AddError(string.Create(CultureInfo.InvariantCulture, $"candidate {candidateId} ({entry.MaskHash[..12]}): {reason}"));
        }

        var record = new EvaluationRecord
        {
            CandidateId = candidateId,
            IndividualKey = entry.Key,
            MaskHash = entry.MaskHash,
            Generation = entry.Generation,
            Succeeded = succeeded,
            FailureReason = succeeded ? null : reason,
            Metrics = outcome.Metrics,
            Silo = outcome.Silo,
            FromCache = fromCache,
            CompletedAt = time.GetUtcNow(),
            EnergySource = outcome.EnergySource,
            PhaseSeconds = outcome.PhaseSeconds,
        };
        S.Ledger.Add(record);
        Telemetry.Booked(candidateId, succeeded, fromCache, outcome.Silo);
        _ledgerById[candidateId] = record;
        _barrier = false;
        _dirty = true;
    }

    private Dictionary<string, int> Held()
    {
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in S.InFlight.Values)
        {
            if (entry.Silo is not null)
            {
                held[entry.Silo] = held.GetValueOrDefault(entry.Silo) + 1;
            }
        }

        return held;
    }

    private async Task Finish(ExperimentState final)
    {
        S.State = final;
        S.FinishedAt = time.GetUtcNow();
        await Persist();
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

    private void Fail(string reason)
    {
        AddError(reason);
        S.State = ExperimentState.Failed;
        S.FinishedAt = time.GetUtcNow();
    }

    private Task PersistIfDirty() => _dirty ? Persist() : Task.CompletedTask;

    private async Task Persist()
    {
        if (_engine is not null)
        {
            S.AlgorithmJson = _engine.SaveState().ToJson();
        }

        try
        {
            await state.WriteStateAsync();
            _dirty = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.PersistFailed(logger, ex, ExperimentId);
            _dirty = true;
        }
    }

    private void AddError(string error)
    {
        S.Errors.Add(error);
        var max = options.Value.MaxRecordedErrors;
        if (S.Errors.Count > max)
        {
            S.Errors.RemoveRange(0, S.Errors.Count - max);
        }
    }

    private async Task EnsureReminder()
    {
        try
        {
            var period = options.Value.ReminderPeriod;
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
            Log.SchedulerFailed(logger, ex, ExperimentId);
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

    private ExperimentStatus Status() => new()
    {
        ExperimentId = ExperimentId,
        Name = S.Spec?.Name ?? "",
        State = S.State,
        Evaluated = S.Ledger.Count,
        Failed = S.Ledger.Count(r => !r.Succeeded),
        InFlight = S.InFlight.Count,
        CacheHits = S.CacheHits,
        Reissued = S.Reissued,
        Generation = _engine?.Generation ?? 0,
        Progress = S.State == ExperimentState.Completed ? 1 : _engine?.Progress ?? 0,
        Hypervolume = Hypervolume(),
        ParetoSize = _engine?.ParetoFront.Count ?? 0,
        Errors = S.Errors.ToArray(),
        SubmittedAt = S.SubmittedAt,
        StartedAt = S.StartedAt,
        FinishedAt = S.FinishedAt,
        SlotShare = (int)Math.Round(_fairShare),
        CoordinatorSilo = localSilo.SiloAddress.ToParsableString(),
        ShareWeight = S.Spec?.ShareWeight ?? 0,
    };
}
