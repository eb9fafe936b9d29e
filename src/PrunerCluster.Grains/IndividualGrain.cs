using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Lifecycle;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains;

[GenerateSerializer, Alias("prunercluster.IndividualState")]
public sealed class IndividualState
{
    [Id(0)] public EvaluationOutcome? Outcome { get; set; }
    [Id(1)] public string? MaskText { get; set; }
    [Id(2)] public int Runs { get; set; }
}

/// <summary>
/// One evaluation identity (checkpoint + settings + mask). <see cref="StartEvaluation"/> returns at once and the result is
/// pushed to subscribers later, because an evaluation takes minutes while every Orleans call must finish within the 30 s
/// response timeout. The outcome is persisted before anyone is notified, so a re-activated grain answers from storage and
/// never recomputes; a grain re-activated without a stored outcome (its silo died mid-run) runs again when polled.
/// Only deterministic outcomes are stored: a transient failure (deadline, out-of-memory, crash, cancellation) is reported
/// to the subscribers of that attempt only, and the activation then leaves its silo so the next attempt is placed afresh
/// on the silo the scheduler grants. It also leaves a silo that refuses the work (full, or of another device class).
/// </summary>
[SlotPlacement]
internal sealed class IndividualGrain(
    [PersistentState("individual", PrunerClusterStorage.Name)] IPersistentState<IndividualState> state,
    SlotExecutor executor,
    EvaluationBackendCatalog backends,
    IOptions<PrunerClusterSiloOptions> options,
    TimeProvider time,
    ILogger<IndividualGrain> logger) : Grain, IIndividualGrain, IDisposable
{
    private readonly Dictionary<GrainId, IEvaluationSubscriber> _subscribers = [];
    private readonly CancellationTokenSource _deactivating = new();
    private Task? _running;
    private CancellationTokenSource? _attempt;
    private bool _leaving;
    private IGrainTimer? _keepAlive;

    public Task<EvaluationOutcome?> StartEvaluation(EvaluationRequest request, IEvaluationSubscriber? subscriber)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Outcome is { } known)
        {
            return Task.FromResult<EvaluationOutcome?>(known);
        }

        var key = this.GetPrimaryKeyString();
        if (!string.Equals(request.Key.Value, key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Request identity {request.Key.Value} does not match individual {key}.", nameof(request));
        }

        var deviceClass = options.Value.EffectiveDeviceClass;
        if (_running is null && MustMove(request, deviceClass) is { } why)
        {
            if (!_leaving && RequestContext.Get(SlotMetadata.TargetSiloKey) is string granted && !string.Equals(granted, executor.SiloName, StringComparison.Ordinal))
            {
                // Migrate (placed on the granted silo, registered there) rather than deactivate: a caller whose directory cache
                // still names this silo would otherwise re-create the activation here on every retry.
                this.MigrateOnIdle();
            }
            else
            {
                this.DeactivateOnIdle();
            }

            _leaving = true;
            throw new SlotUnavailableException($"Evaluation {key} cannot start on silo {executor.SiloName}: {why}; it moves to the next granted silo.") { RefusingSilo = executor.SiloName, Moving = true };
        }

        if (subscriber is not null)
        {
            _subscribers[subscriber.GetGrainId()] = subscriber;
        }

        if (_running is not null)
        {
            return Task.FromResult<EvaluationOutcome?>(null);
        }

        var backend = backends.Get(request.Spec.Backend);
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(_deactivating.Token);

        // The caller's trace context (the coordinator's evaluation span, carried by Orleans' activity propagation).
        var parent = Activity.Current?.Context ?? default;
        if (!executor.TryEnqueue(
                (slot, ct) => EvaluationTelemetry.Run(c => EvaluationAttempt.Run(backend, request, slot, deviceClass, time, c), request, slot, parent, ct),
                attempt.Token,
                out var evaluation))
        {
            attempt.Dispose();
            _subscribers.Clear();

            // Leave this silo: the next attempt is placed on the silo the scheduler grants, never retried here.
            _leaving = true;
            this.DeactivateOnIdle();
            throw new SlotUnavailableException(
                $"Silo {executor.SiloName} cannot take evaluation {key}: {executor.Slots} slots, {executor.Running} running, {executor.Queued} queued, draining: {executor.IsDraining}, granted silo {RequestContext.Get(SlotMetadata.TargetSiloKey)}.")
            {
                RefusingSilo = executor.SiloName,
            };
        }

        _attempt = attempt;

        Log.EvaluationStarted(logger, key);

        // Evaluations can outlast the idle-collection age; keep the activation alive while its slot works.
        _keepAlive = this.RegisterGrainTimer(
            static () => Task.CompletedTask,
            new GrainTimerCreationOptions { DueTime = TimeSpan.FromMinutes(1), Period = TimeSpan.FromMinutes(1), KeepAlive = true });
        state.State.MaskText = request.MaskText;
        _running = CompleteAsync(key, evaluation);
        executor.TrackDelivery(_running);
        return Task.FromResult<EvaluationOutcome?>(null);
    }

    /// <summary>
    /// Why a new attempt must not start in this activation: it is leaving after a failure or refusal, the silo is of another
    /// device class, or the scheduler granted the slot on another silo (an existing activation keeps its silo otherwise).
    /// </summary>
    private string? MustMove(EvaluationRequest request, string deviceClass)
    {
        if (_leaving)
        {
            return "the last attempt here failed or was refused";
        }

        if (request.DeviceClass is { } wanted && !string.Equals(wanted, deviceClass, StringComparison.Ordinal))
        {
            return $"the silo is of device class '{deviceClass}', the experiment needs '{wanted}'";
        }

        return RequestContext.Get(SlotMetadata.TargetSiloKey) is string granted && !string.Equals(granted, executor.SiloName, StringComparison.Ordinal)
            ? $"the scheduler granted the slot on silo {granted}"
            : null;
    }

    public Task Unsubscribe(IEvaluationSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (_subscribers.Remove(subscriber.GetGrainId()) && _subscribers.Count == 0 && _attempt is { IsCancellationRequested: false } attempt)
        {
            Log.EvaluationCancelled(logger, this.GetPrimaryKeyString());
            attempt.Cancel();
        }

        return Task.CompletedTask;
    }

    public Task<IndividualSnapshot> GetSnapshot() => Task.FromResult(new IndividualSnapshot
    {
        Key = this.GetPrimaryKeyString(),
        Phase = state.State.Outcome is not null ? IndividualPhase.Completed : _running is not null ? IndividualPhase.Evaluating : IndividualPhase.Idle,
        Outcome = state.State.Outcome,
        MaskText = state.State.MaskText,
        Runs = state.State.Runs,
        Subscribers = _subscribers.Count,
        Silo = executor.SiloName,
    });

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        _keepAlive?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _attempt?.Dispose();
        _deactivating.Dispose();
    }

    /// <summary>Runs in this activation's context once the slot thread finishes: persist, then notify every subscriber.</summary>
    private async Task CompleteAsync(string key, Task<EvaluationOutcome> evaluation)
    {
        RequestContext.Clear();
        EvaluationOutcome outcome;
        try
        {
            outcome = await evaluation;
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            return;
        }
        catch (SlotHandedBackException ex)
        {
            HandBack(key, ex.Message);
            return;
        }
        catch (Exception ex)
        {
            Log.EvaluationThrew(logger, ex, key);
            outcome = FailureClassifier.FromException(ex, executor.SiloName);
        }

        outcome = FailureClassifier.Classified(outcome);
        if (string.IsNullOrEmpty(outcome.Silo))
        {
            outcome = outcome with { Silo = executor.SiloName };
        }

        Log.EvaluationFinished(logger, key, outcome.Succeeded);

        var transient = outcome.Kind == FailureKind.Transient;
        state.State.Runs++;
        if (!transient)
        {
            // Only a result or a failure of the mask itself is served to later experiments.
            state.State.Outcome = outcome;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                Log.IndividualPersistFailed(logger, ex, key);
            }
        }

        _keepAlive?.Dispose();
        _keepAlive = null;
        _attempt?.Dispose();
        _attempt = null;
        _running = null;
        var subscribers = _subscribers.Values.ToArray();
        _subscribers.Clear();
        if (transient)
        {
            Log.EvaluationTransientFailure(logger, key, outcome.FailureReason ?? "");
            _leaving = true;
            this.DeactivateOnIdle();
        }

        await Task.WhenAll(subscribers.Select(subscriber => NotifyAsync(key, subscriber, outcome)));
    }

    /// <summary>
    /// This silo is draining and gave the evaluation back unstarted: tell every subscriber at once (one-way) so it is
    /// re-issued without waiting for a lease or failure detection, and let this activation go, so the next call places
    /// the individual on a silo that still takes work.
    /// </summary>
    private void HandBack(string key, string reason)
    {
        _keepAlive?.Dispose();
        _keepAlive = null;
        _running = null;
        var subscribers = _subscribers.Values.ToArray();
        _subscribers.Clear();
        DrainLog.EvaluationHandedBack(logger, key, subscribers.Length);
        foreach (var subscriber in subscribers)
        {
            _ = subscriber.OnEvaluationHandedBack(key, reason);
        }

        this.DeactivateOnIdle();
    }

    private async Task NotifyAsync(string key, IEvaluationSubscriber subscriber, EvaluationOutcome outcome)
    {
        try
        {
            await subscriber.OnEvaluationCompleted(key, outcome);
        }
        catch (Exception ex)
        {
            Log.NotifyFailed(logger, ex, key, subscriber.GetGrainId().ToString());
        }
    }
}

/// <summary>The silo chosen for an evaluation has no free slot or queue space; the caller should ask for a slot again.</summary>
[GenerateSerializer, Alias("prunercluster.SlotUnavailableException")]
public sealed class SlotUnavailableException : Exception
{
    /// <summary>The silo that refused (parsable address); null from older silos.</summary>
    [Id(80)] public string? RefusingSilo { get; init; }

    /// <summary>True when the refusal only moves the activation (to the granted silo, or away after a failure), not a lack of capacity.</summary>
    [Id(81)] public bool Moving { get; init; }

    public SlotUnavailableException()
    {
    }

    public SlotUnavailableException(string message)
        : base(message)
    {
    }

    public SlotUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
