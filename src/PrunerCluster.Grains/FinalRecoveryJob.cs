using PrunerCluster.Contracts;

namespace PrunerCluster.Grains;

/// <summary>One final-recovery evaluation the coordinator planned when the search ended, and its outcome once known.</summary>
[GenerateSerializer, Alias("prunercluster.FinalRecoveryJob")]
public sealed class FinalRecoveryJob
{
    /// <summary>Negative, so it never collides with a search candidate's id in the in-flight map.</summary>
    [Id(0)] public long CandidateId { get; set; }

    /// <summary>"unpruned", or "#N" with N the member's number in the Pareto table (what <c>export --pick</c> takes).</summary>
    [Id(1)] public string Label { get; set; } = "";
    [Id(2)] public string MaskText { get; set; } = "";
    [Id(3)] public string MaskHash { get; set; } = "";
    [Id(4)] public string Key { get; set; } = "";
    [Id(5)] public Dictionary<string, double> SearchMetrics { get; set; } = [];
    [Id(6)] public string? ExportName { get; set; }

    /// <summary>Null until the evaluation is booked (a failure is an outcome too).</summary>
    [Id(7)] public EvaluationOutcome? Outcome { get; set; }

    /// <summary>The key of the member's highest-rung search evaluation whose weights the recovery continues from; null = from the baseline.</summary>
    [Id(8)] public string? WarmStartKey { get; set; }

    /// <summary>Fine-tune steps that evaluation ran.</summary>
    [Id(9)] public int WarmStartSteps { get; set; }
}
