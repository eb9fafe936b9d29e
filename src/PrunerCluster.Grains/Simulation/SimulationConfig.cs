namespace PrunerCluster.Grains.Simulation;

/// <summary>
/// One run of <see cref="ClusterSimulation"/>: the cluster's size, the experiments' weights (cycled over the experiments),
/// how long evaluations take (log-normal: median and sigma of its log, or Pareto when <see cref="ParetoShape"/> is set), how
/// often a silo fails and how long it stays away, and the seed of every random choice. Times are simulated seconds.
/// </summary>
public sealed record SimulationConfig
{
    public int Silos { get; init; } = 512;

    public int SlotsPerSilo { get; init; } = 8;

    public int Experiments { get; init; } = 64;

    public IReadOnlyList<double> Weights { get; init; } = [1, 1, 2, 4];

    /// <summary>Per-experiment concurrency cap; 0 = none (each wants every slot it can get).</summary>
    public int Cap { get; init; }

    public double Seconds { get; init; } = 120;

    /// <summary>Share of <see cref="Seconds"/> left out of utilization and fairness (the start, when one experiment holds all).</summary>
    public double WarmupFraction { get; init; } = 0.25;

    public double MedianEvaluationSeconds { get; init; } = 2;

    public double LogNormalSigma { get; init; } = 1;

    /// <summary>When above 0, evaluation times are Pareto with this shape and <see cref="MedianEvaluationSeconds"/> as median.</summary>
    public double ParetoShape { get; init; }

    /// <summary>Mean time between failures of one silo; 0 = silos never fail.</summary>
    public double SiloMtbfSeconds { get; init; } = 3600;

    /// <summary>Mean time a failed silo stays away; 0 = it never comes back.</summary>
    public double SiloDowntimeSeconds { get; init; } = 60;

    /// <summary>Time until a coordinator learns that a silo holding its work died (membership's vote) and re-issues the work.</summary>
    public double FailureDetectionSeconds { get; init; } = 10;

    public double CoordinatorTickSeconds { get; init; } = 1;

    /// <summary>Time from the scheduler's nudge to the nudged coordinator's dispatch pass (one message each way).</summary>
    public double NudgeLatencySeconds { get; init; } = 0.002;

    public int Seed { get; init; } = 1;

    public int TotalSlots => Silos * SlotsPerSilo;
}
