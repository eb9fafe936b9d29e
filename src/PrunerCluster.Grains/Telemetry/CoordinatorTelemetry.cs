using System.Diagnostics;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>
/// One coordinator activation's telemetry: the experiment span (child of whoever submitted it; its W3C trace context is
/// persisted so evaluations stay in the experiment's trace after the coordinator moves), one evaluation span per in-flight
/// candidate from first dispatch until its result is booked, the re-issue and cache-hit counters, and the per-experiment
/// gauges (queue depth, in flight, slot share, cache-hit ratio, hypervolume).
/// </summary>
internal sealed class CoordinatorTelemetry(string experimentId)
{
    private readonly Dictionary<long, Activity> _evaluations = [];
    private Activity? _experiment;
    private ActivityContext _experimentContext;

    private KeyValuePair<string, object?> ExperimentTag => new(PrunerClusterTelemetry.AttributeExperiment, experimentId);

    /// <summary>Starts the experiment span under the caller's context; returns its traceparent for the coordinator's state.</summary>
    public string? StartExperiment(ExperimentSpec spec)
    {
        _experiment = PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityExperiment, ActivityKind.Internal);
        if (_experiment is null)
        {
            return null;
        }

        _experiment.SetTag(PrunerClusterTelemetry.AttributeExperiment, experimentId);
        _experiment.SetTag("prunercluster.experiment.name", spec.Name);
        _experiment.SetTag("prunercluster.experiment.backend", spec.Backend);
        _experimentContext = _experiment.Context;
        return _experiment.Id;
    }

    /// <summary>After re-activation: evaluations join the stored experiment trace.</summary>
    public void Restore(string? traceParent)
    {
        if (_experiment is null && traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context))
        {
            _experimentContext = context;
        }
    }

    /// <summary>
    /// Makes the candidate's evaluation span current for the rest of the calling async flow (the dispatch), so Orleans
    /// propagates it to the individual grain and the slot's spans become its children.
    /// </summary>
    public void Dispatching(long candidateId, string individualKey, int attempt)
    {
        if (!_evaluations.TryGetValue(candidateId, out var span))
        {
            span = PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityEvaluation, ActivityKind.Producer, _experimentContext);
            if (span is null)
            {
                return;
            }

            span.SetTag(PrunerClusterTelemetry.AttributeExperiment, experimentId);
            span.SetTag(PrunerClusterTelemetry.AttributeIndividual, individualKey);
            span.SetTag(PrunerClusterTelemetry.AttributeCandidate, candidateId);
            _evaluations[candidateId] = span;
        }

        span.SetTag("prunercluster.attempts", attempt);
        Activity.Current = span;
    }

    public void Reissued(long candidateId, string reason)
    {
        PrunerClusterTelemetry.Reissued.Add(1, ExperimentTag, new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeReason, reason));
        _evaluations.GetValueOrDefault(candidateId)?.AddEvent(new ActivityEvent("reissued", tags: new ActivityTagsCollection { [PrunerClusterTelemetry.AttributeReason] = reason }));
    }

    public void CacheHit() => PrunerClusterTelemetry.CacheHits.Add(1, ExperimentTag);

    /// <summary>The candidate's result was booked: ends its evaluation span.</summary>
    public void Booked(long candidateId, bool succeeded, bool fromCache, string silo)
    {
        if (!_evaluations.Remove(candidateId, out var span))
        {
            return;
        }

        span.SetTag(PrunerClusterTelemetry.AttributeCacheHit, fromCache);
        span.SetTag(PrunerClusterTelemetry.AttributeSilo, silo);
        span.SetTag(PrunerClusterTelemetry.AttributeOutcome, succeeded ? "succeeded" : "failed");
        if (!succeeded)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }

        span.Dispose();
    }

    public void Publish(CoordinatorState state, int booked, double fairShare, double? hypervolume)
    {
        ArgumentNullException.ThrowIfNull(state);
        var waiting = state.InFlight.Values.Count(e => e.Silo is null);
        ExperimentGauges.Publish(experimentId, new ExperimentGaugeValues(
            waiting,
            state.InFlight.Count,
            fairShare,
            booked == 0 ? 0 : (double)state.CacheHits / booked,
            hypervolume));
    }

    /// <summary>The experiment reached a final state: ends its spans and withdraws its gauges.</summary>
    public void Finish(ExperimentState final)
    {
        foreach (var span in _evaluations.Values)
        {
            span.SetTag(PrunerClusterTelemetry.AttributeOutcome, "abandoned");
            span.Dispose();
        }

        _evaluations.Clear();
        if (_experiment is not null)
        {
            _experiment.SetTag("prunercluster.experiment.state", final.ToString());
            if (final == ExperimentState.Failed)
            {
                _experiment.SetStatus(ActivityStatusCode.Error);
            }

            _experiment.Dispose();
            _experiment = null;
        }

        ExperimentGauges.Withdraw(experimentId);
    }

    /// <summary>The activation goes away: its gauges move with the experiment to its next activation.</summary>
    public void Withdraw() => ExperimentGauges.Withdraw(experimentId);
}
