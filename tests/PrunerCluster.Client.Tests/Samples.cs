using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

/// <summary>Hand-made Pareto sets and ledgers for the report, plot and run-directory tests.</summary>
internal static class Samples
{
    public static readonly IReadOnlyList<ObjectiveDefinition> Objectives =
        [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)];

    public static ParetoEntry Entry(long id, string hash, double accuracy, double macs, string silo = "S127.0.0.1:11111:1", string energy = "modeled") => new()
    {
        CandidateId = id,
        MaskText = $"seg0=1011;seg1=1{id % 2}0/{id}",
        MaskHash = hash,
        IndividualKey = "key-" + hash,
        Generation = (int)(id / 4),
        EnergySource = energy,
        Silo = silo,
        Metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.Macs] = macs,
            [MetricNames.LatencyMs] = macs / 1e6,
            [MetricNames.Params] = macs / 10,
        },
    };

    /// <summary>Three front members given out of order (by MACs), two of them with equal MACs to exercise the tie-break.</summary>
    public static ParetoSet Pareto(string id = "exp-1") => new()
    {
        ExperimentId = id,
        Objectives = Objectives,
        Evaluated = 6,
        Hypervolume = 0.5,
        Entries =
        [
            Entry(5, "cccc0000", 0.90, 3_000_000),
            Entry(2, "bbbb0000", 0.80, 1_000_000),
            Entry(3, "aaaa0000", 0.85, 1_000_000),
        ],
        BaselineMetrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Accuracy] = 0.92,
            [MetricNames.Macs] = 4_000_000,
        },
    };

    public static IReadOnlyList<EvaluationRecord> Ledger(ParetoSet pareto)
    {
        var records = pareto.Entries.Select(e => new EvaluationRecord
        {
            CandidateId = e.CandidateId,
            IndividualKey = e.IndividualKey,
            MaskHash = e.MaskHash,
            Generation = e.Generation,
            Succeeded = true,
            Metrics = e.Metrics,
            Silo = e.Silo,
            EnergySource = e.EnergySource,
            PhaseSeconds = new Dictionary<string, double>(StringComparer.Ordinal) { ["fine_tune"] = 1.5 },
            CompletedAt = DateTimeOffset.UnixEpoch.AddSeconds(e.CandidateId),
        }).ToList();
        records.Add(new EvaluationRecord
        {
            CandidateId = 1,
            IndividualKey = "key-dominated",
            MaskHash = "dddd0000",
            Succeeded = true,
            Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.Accuracy] = 0.5, [MetricNames.Macs] = 3_500_000 },
            Silo = "S127.0.0.1:11112:1",
        });
        records.Add(new EvaluationRecord
        {
            CandidateId = 4,
            IndividualKey = "key-failed",
            MaskHash = "eeee0000",
            Succeeded = false,
            FailureReason = "NaN loss, \"diverged\"",
            Silo = "S127.0.0.1:11112:1",
        });
        return records;
    }
}
