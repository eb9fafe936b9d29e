using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>
/// Turns successive status polls into rates and an ETA: evaluations per second since the experiment started (or since the
/// first poll, when attaching to a running one), and the remaining evaluation budget at that rate, capped by the wall-clock budget.
/// </summary>
public sealed class ProgressTracker(BudgetSettings? budget, TimeProvider time)
{
    private DateTimeOffset? _firstPollAt;
    private int _firstPollEvaluated;

    public ProgressSnapshot Next(ExperimentStatus status, ParetoSet? pareto)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = time.GetUtcNow();
        if (_firstPollAt is null)
        {
            _firstPollAt = now;
            _firstPollEvaluated = status.Evaluated;
        }

        double? rate = null;
        if (status.StartedAt is { } started && now > started && status.Evaluated > 0)
        {
            rate = status.Evaluated / (now - started).TotalSeconds;
        }
        else if (now > _firstPollAt && status.Evaluated > _firstPollEvaluated)
        {
            rate = (status.Evaluated - _firstPollEvaluated) / (now - _firstPollAt.Value).TotalSeconds;
        }

        TimeSpan? eta = null;
        if (!status.State.IsTerminal())
        {
            if (budget?.MaxEvaluations is { } max && rate is > 0)
            {
                eta = TimeSpan.FromSeconds(Math.Max(0, max - status.Evaluated) / rate.Value);
            }

            if (budget?.WallClock is { } wall && status.StartedAt is { } start)
            {
                var left = start + wall - now;
                left = left < TimeSpan.Zero ? TimeSpan.Zero : left;
                eta = eta is { } e && e < left ? e : left;
            }
        }

        return new ProgressSnapshot
        {
            Status = status,
            Pareto = pareto,
            MaxEvaluations = budget?.MaxEvaluations,
            EvaluationsPerSecond = rate,
            Eta = eta,
        };
    }
}
