using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>
/// Turns successive status polls into rates and an ETA: evaluations per second since the search started (or since the
/// first poll, when attaching to a running one), and the remaining evaluation budget at that rate, capped by the wall-clock
/// budget. The search starts when the experiment turns Running after its baseline preparation; the wall-clock budget and
/// the rate count from then, not from acceptance. While the baseline is prepared there is no search ETA.
/// </summary>
public sealed class ProgressTracker(BudgetSettings? budget, TimeProvider time)
{
    private DateTimeOffset? _firstPollAt;
    private int _firstPollEvaluated;
    private bool _sawPreparation;
    private DateTimeOffset? _searchStartedAt;

    public ProgressSnapshot Next(ExperimentStatus status, ParetoSet? pareto)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = time.GetUtcNow();
        if (_firstPollAt is null)
        {
            _firstPollAt = now;
            _firstPollEvaluated = status.Evaluated;
        }

        var searchStart = SearchStart(status, now);
        double? rate = null;
        if (searchStart is { } started && now > started && status.Evaluated > 0)
        {
            rate = status.Evaluated / (now - started).TotalSeconds;
        }
        else if (now > _firstPollAt && status.Evaluated > _firstPollEvaluated)
        {
            rate = (status.Evaluated - _firstPollEvaluated) / (now - _firstPollAt.Value).TotalSeconds;
        }

        return new ProgressSnapshot
        {
            Status = status,
            Pareto = pareto,
            MaxEvaluations = budget?.MaxEvaluations,
            EvaluationsPerSecond = rate,
            Eta = Eta(status, searchStart, rate, now),
        };
    }

    /// <summary>
    /// When this tracker saw the experiment turn Running after preparing: the first Running poll. Attached to an experiment
    /// already running, the status's start (acceptance) is the best known bound. Null while the baseline is prepared.
    /// </summary>
    private DateTimeOffset? SearchStart(ExperimentStatus status, DateTimeOffset now)
    {
        if (_searchStartedAt is null)
        {
            if (status.State is ExperimentState.Pending or ExperimentState.Preparing)
            {
                _sawPreparation = true;
            }
            else if (status.State == ExperimentState.Running)
            {
                _searchStartedAt = _sawPreparation ? now : status.StartedAt;
            }
        }

        return _searchStartedAt ?? (_sawPreparation ? null : status.StartedAt);
    }

    private TimeSpan? Eta(ExperimentStatus status, DateTimeOffset? searchStart, double? rate, DateTimeOffset now)
    {
        if (status.State.IsTerminal() || status.State == ExperimentState.Recovering)
        {
            return null;
        }

        TimeSpan? eta = null;
        if (budget?.MaxEvaluations is { } max && rate is > 0)
        {
            eta = TimeSpan.FromSeconds(Math.Max(0, max - status.Evaluated) / rate.Value);
        }

        if (budget?.WallClock is { } wall && searchStart is { } start)
        {
            var left = start + wall - now;
            left = left < TimeSpan.Zero ? TimeSpan.Zero : left;
            eta = eta is { } e && e < left ? e : left;
        }

        return eta;
    }
}
