using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
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
/// </summary>
[SlotPlacement]
internal sealed class IndividualGrain(
    [PersistentState("individual", PrunerClusterStorage.Name)] IPersistentState<IndividualState> state,
    SlotExecutor executor,
    EvaluationBackendCatalog backends,
    ILogger<IndividualGrain> logger) : Grain, IIndividualGrain, IDisposable
{
    private readonly Dictionary<GrainId, IEvaluationSubscriber> _subscribers = [];
    private readonly CancellationTokenSource _deactivating = new();
    private Task? _running;
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

        if (subscriber is not null)
        {
            _subscribers[subscriber.GetGrainId()] = subscriber;
        }

        if (_running is not null)
        {
            return Task.FromResult<EvaluationOutcome?>(null);
        }

        var backend = backends.Get(request.Spec.Backend);

        // The caller's trace context (the coordinator's evaluation span, carried by Orleans' activity propagation).
        var parent = Activity.Current?.Context ?? default;
        if (!executor.TryEnqueue((slot, ct) => EvaluationTelemetry.Run(backend, request, slot, parent, ct), _deactivating.Token, out var evaluation))
        {
            _subscribers.Clear();
            if (executor.IsDraining)
            {
                // Let this activation go, so the next call places the individual on a silo that still takes work.
                this.DeactivateOnIdle();
            }

            throw new SlotUnavailableException(
                $"Silo {executor.SiloName} cannot take evaluation {key}: {executor.Slots} slots, {executor.Running} running, {executor.Queued} queued, draining: {executor.IsDraining}, granted silo {RequestContext.Get(SlotMetadata.TargetSiloKey)}.");
        }

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

    public void Dispose() => _deactivating.Dispose();

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
            outcome = EvaluationOutcome.Failure($"evaluation threw {ex.GetType().Name}: {ex.Message}", executor.SiloName);
        }

        if (string.IsNullOrEmpty(outcome.Silo))
        {
            outcome = outcome with { Silo = executor.SiloName };
        }

        Log.EvaluationFinished(logger, key, outcome.Succeeded);

        state.State.Outcome = outcome;
        state.State.Runs++;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            Log.IndividualPersistFailed(logger, ex, key);
        }

        _keepAlive?.Dispose();
        _keepAlive = null;
        _running = null;
        var subscribers = _subscribers.Values.ToArray();
        _subscribers.Clear();
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
