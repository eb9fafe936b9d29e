namespace PrunerCluster.Contracts;

/// <summary>
/// Final recovery of a search: the unpruned model and the chosen Pareto members, all fine-tuned with the same longer
/// budget and scored on the held-out test set, plus the run's latency noise figure.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.FinalRecoveryResult")]
public sealed record FinalRecoveryResult
{
    /// <summary>The run directory's folder of recovered models, one folder per member (<see cref="RecoveredMember.ExportDirectory"/> names it).</summary>
    public const string ModelsFolder = "models";

    [Id(0)] public required RecoveredMember Unpruned { get; init; }

    [Id(1)] public required IReadOnlyList<RecoveredMember> Members { get; init; }

    [Id(2)] public int FineTuneSteps { get; init; }

    /// <summary><c>latency_ms</c> of the noise probe's half-width model, timed repeatedly during the search.</summary>
    [Id(3)] public IReadOnlyList<double> NoiseSamplesMs { get; init; } = [];

    /// <summary>Coefficient of variation of <see cref="NoiseSamplesMs"/> (null with fewer than 2 samples).</summary>
    [Id(4)] public double? NoiseCv { get; init; }

    /// <summary>The same timings' raw medians, before scaling by the unpruned reference.</summary>
    [Id(5)] public IReadOnlyList<double> NoiseRawSamplesMs { get; init; } = [];

    /// <summary>Coefficient of variation of <see cref="NoiseRawSamplesMs"/>.</summary>
    [Id(6)] public double? NoiseRawCv { get; init; }

    [Id(7)] public double Seconds { get; init; }

    /// <summary>
    /// The member to suggest for export: the one with the fewest MACs on the final front within <paramref name="points"/>
    /// accuracy points of the recovered unpruned model; else the most accurate recovered member; null when none succeeded.
    /// </summary>
    public RecoveredMember? Suggested(double points = 1.0)
    {
        var ok = Members.Where(m => m.Succeeded).ToList();
        return ok.Where(m => m.OnFinalFront && DropPoints(m) <= points + 1e-9).OrderBy(m => m.Metric(MetricNames.Macs)).FirstOrDefault()
            ?? ok.OrderByDescending(m => m.Metric(MetricNames.Accuracy)).FirstOrDefault();
    }

    /// <summary>How many accuracy points <paramref name="member"/> lies below the recovered unpruned model on the test set.</summary>
    public double DropPoints(RecoveredMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return (Unpruned.Metric(MetricNames.Accuracy) - member.Metric(MetricNames.Accuracy)) * 100;
    }
}
