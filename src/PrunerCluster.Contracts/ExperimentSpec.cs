using System.Globalization;

namespace PrunerCluster.Contracts;

/// <summary>Optimization direction of one objective.</summary>
[GenerateSerializer, Alias("prunercluster.ObjectiveDirection")]
public enum ObjectiveDirection
{
    Minimize = 0,
    Maximize = 1,
}

/// <summary>Comparison used by a constraint: metric &lt;= threshold or metric &gt;= threshold.</summary>
[GenerateSerializer, Alias("prunercluster.ConstraintOperator")]
public enum ConstraintOperator
{
    LessOrEqual = 0,
    GreaterOrEqual = 1,
}

/// <summary>How the coordinator drives the genetic algorithm.</summary>
[GenerateSerializer, Alias("prunercluster.SearchMode")]
public enum SearchMode
{
    /// <summary>Asynchronous: a new candidate is bred as soon as any evaluation finishes, so no slot waits on a generation barrier.</summary>
    SteadyState = 0,

    /// <summary>Classic NSGA-II generations: the next generation is bred after the whole current one is evaluated.</summary>
    Generational = 1,
}

/// <summary>One objective: a metric name from <see cref="MetricNames"/> and its direction.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ObjectiveDefinition")]
public sealed record ObjectiveDefinition(
    [property: Id(0)] string Metric,
    [property: Id(1)] ObjectiveDirection Direction);

/// <summary>One feasibility constraint on a metric.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ConstraintDefinition")]
public sealed record ConstraintDefinition(
    [property: Id(0)] string Metric,
    [property: Id(1)] ConstraintOperator Operator,
    [property: Id(2)] double Threshold);

/// <summary>Search settings (mapped onto the evolution library's search algorithm and its settings by the coordinator).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SearchSettings")]
public sealed record SearchSettings
{
    [Id(0)] public int PopulationSize { get; init; } = 20;
    [Id(1)] public SearchMode Mode { get; init; } = SearchMode.SteadyState;
    [Id(2)] public double CrossoverProbability { get; init; } = 0.9;

    /// <summary>Per-gene mutation rate; null means 1 / genome length.</summary>
    [Id(3)] public double? MutationRate { get; init; }
    [Id(4)] public ulong Seed { get; init; } = 1;

    /// <summary>Genome encoding: "keepRatio" (default: one keep level per layer over an importance order), "channelBits" (one bit per channel) or "hybrid" (keep level plus channel preference bits).</summary>
    [Id(20)] public string? Encoding { get; init; }

    /// <summary>Keep levels of the keepRatio/hybrid encodings: level l keeps (levels - l) / levels of a layer; null = 16.</summary>
    [Id(21)] public int? KeepLevels { get; init; }

    /// <summary>Parent selection: "binaryTournament" (default) or "rouletteWheel".</summary>
    [Id(22)] public string? Selection { get; init; }

    /// <summary>Crossover: "uniform", "singlePoint", "twoPoint", "segmentWise" or "arithmetic"; null = arithmetic for level encodings, uniform otherwise.</summary>
    [Id(23)] public string? Crossover { get; init; }

    /// <summary>Mutation: "bitFlip" (default), "densityPreservingSwap" or "segmentLevel".</summary>
    [Id(24)] public string? Mutation { get; init; }

    /// <summary>
    /// Narrowest width the keepRatio/hybrid encodings give a layer; below one channel-rounding block the widths halve
    /// (16, 8, 4). Null = 4; set it to the rounding multiple to keep every width a multiple.
    /// </summary>
    [Id(25)] public int? MinChannels { get; init; }

    /// <summary>
    /// Fidelity ladder, cheapest rung first; null or one rung = every candidate is evaluated once with the evaluation
    /// settings. With two or more, new candidates run at rung 0 and the best are promoted rung by rung (asynchronous
    /// successive halving); the last rung's results are what the search reports.
    /// </summary>
    [Id(26)] public IReadOnlyList<FidelityRung>? Fidelities { get; init; }

    /// <summary>Reduction factor of the ladder: each rung promotes the best 1/eta of its results; null = 3.</summary>
    [Id(27)] public int? PromotionEta { get; init; }

    /// <summary>
    /// Search algorithm (<see cref="SearchAlgorithms"/>): "nsga2" (null, the default), "random" or "rules". The operator,
    /// mode and ladder settings apply to nsga2 only; every algorithm honours the seed and the budget.
    /// </summary>
    [Id(28)] public string? Algorithm { get; init; }

    /// <summary>
    /// Ladder endgame: the last fraction of the budget in which a steady-state search promotes the best unpromoted
    /// results past each rung's 1/eta quota (highest rung first, while they can still reach the top rung in time)
    /// instead of starting new candidates; null = <see cref="DefaultEndgame"/>, 0 = off.
    /// </summary>
    [Id(29)] public double? Endgame { get; init; }

    public const int DefaultPromotionEta = 3;

    public const double DefaultEndgame = 0.15;

    /// <summary>True when the ladder has two rungs or more.</summary>
    public bool IsMultiFidelity => Fidelities is { Count: > 1 };
}

/// <summary>When the search stops; at least one limit must be set.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.BudgetSettings")]
public sealed record BudgetSettings
{
    [Id(0)] public int? MaxEvaluations { get; init; }
    [Id(1)] public int? MaxGenerations { get; init; }
    [Id(2)] public TimeSpan? WallClock { get; init; }
}

/// <summary>Baseline (unpruned) checkpoint settings: train once and cache, or load an existing file.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.BaselineSettings")]
public sealed record BaselineSettings
{
    /// <summary>Existing checkpoint file; when null the backend trains one and caches it.</summary>
    [Id(0)] public string? CheckpointPath { get; init; }
    [Id(1)] public int Epochs { get; init; } = 2;
    [Id(2)] public ulong Seed { get; init; } = 1;
    [Id(3)] public string? CacheDirectory { get; init; }

    /// <summary>Trains the baseline on only the first N training samples (tests and quick trials); null = all.</summary>
    [Id(4)] public int? MaxTrainSamples { get; init; }

    /// <summary>Reports the baseline's test accuracy on only the first N test samples; null = all.</summary>
    [Id(5)] public int? MaxTestSamples { get; init; }
}

/// <summary>
/// Serializable mirror of the pruning engine's evaluation settings. Null fields mean "the engine's default";
/// the backend resolves them and reports the hash of the effective settings in <see cref="PreparedExperiment.SettingsHash"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.EvaluationSettingsSpec")]
public sealed record EvaluationSettingsSpec
{
    [Id(0)] public int? FineTuneSteps { get; init; }
    [Id(1)] public double? LearningRate { get; init; }
    [Id(2)] public int? BatchSize { get; init; }
    [Id(3)] public string? Optimizer { get; init; }
    [Id(4)] public double? DistillationWeight { get; init; }
    [Id(5)] public int? ValidationSamples { get; init; }
    [Id(6)] public int? LatencyBatchSize { get; init; }
    [Id(7)] public int? LatencyRuns { get; init; }
    [Id(8)] public int? LatencyWarmup { get; init; }
    [Id(9)] public int? EnergyWindow { get; init; }
    [Id(10)] public int? RoundChannelsTo { get; init; }

    /// <summary>structured | unstructured | hybrid.</summary>
    [Id(11)] public string? Mode { get; init; }
    [Id(12)] public IReadOnlyList<double>? SparsityLevels { get; init; }
    [Id(13)] public ulong? Seed { get; init; }
    [Id(14)] public int? Threads { get; init; }

    /// <summary>Cap on timed passes per model (adaptive repeats stop earlier once the median is tight).</summary>
    [Id(20)] public int? LatencyMaxRuns { get; init; }

    /// <summary>Target half-width of the latency median's 95 % confidence interval, percent.</summary>
    [Id(21)] public double? LatencyTargetCiPercent { get; init; }

    /// <summary>Cap on timing seconds per model.</summary>
    [Id(22)] public double? LatencyMaxSeconds { get; init; }

    /// <summary>Hold the device exclusively while timing (default true).</summary>
    [Id(23)] public bool? ExclusiveTiming { get; init; }

    /// <summary>Fraction of the fine-tune steps over which the learning rate warms up linearly (0..0.5; default 0).</summary>
    [Id(24)] public double? WarmupFraction { get; init; }

    /// <summary>"unpruned" (default): time each model in alternation with the unpruned one and scale the ratio; "none": time it alone.</summary>
    [Id(25)] public string? LatencyReference { get; init; }

    /// <summary>Importance order a level genome keeps first: "batchNormScale" (default), "l1", "l2", "taylor" or "random".</summary>
    [Id(26)] public string? Importance { get; init; }

    /// <summary>Training batches the Taylor criterion averages over (default 32).</summary>
    [Id(27)] public int? ImportanceBatches { get; init; }

    /// <summary>Training batches on which BatchNorm running statistics are re-estimated after pruning, before fine-tuning (default 16; 0 = off).</summary>
    [Id(28)] public int? RecalibrationBatches { get; init; }
}

/// <summary>
/// After the search: the Pareto set (or up to <see cref="MaxMembers"/> of it, spread over the front's MACs from the costliest to the cheapest
/// within <see cref="MaxDropPoints"/>) is fine-tuned again with a longer budget, scored on the held-out test set and
/// re-timed; the final table and exports use these models.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.FinalRecoverySettings")]
public sealed record FinalRecoverySettings
{
    [Id(0)] public bool Enabled { get; init; } = true;

    /// <summary>Fine-tuning steps per member (the search's own recovery budget is evaluation.fineTuneSteps).</summary>
    [Id(1)] public int FineTuneSteps { get; init; } = 600;

    /// <summary>
    /// Most members recovered; 0 = all. When the candidates outnumber it, they are spread evenly over log MACs from the
    /// costliest to the cheapest candidate (by position along the front ordered by accuracy when a member has no MACs).
    /// </summary>
    [Id(2)] public int MaxMembers { get; init; }

    /// <summary>Peak learning rate; null = the search's.</summary>
    [Id(3)] public double? LearningRate { get; init; }

    /// <summary>Only members whose search-time accuracy drop is at most this many points are candidates; null = every member.</summary>
    [Id(4)] public double? MaxDropPoints { get; init; }

    /// <summary>What changes a recovered model (steps and learning rate), as text for its content key.</summary>
    public string KeyText => string.Create(CultureInfo.InvariantCulture, $"steps={FineTuneSteps};lr={(LearningRate is { } lr ? lr.ToString("R", CultureInfo.InvariantCulture) : "search")}");
}

/// <summary>Settings of the synthetic test/benchmark backend (ignored by real backends).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SyntheticSettings")]
public sealed record SyntheticSettings
{
    /// <summary>Cost of one evaluation.</summary>
    [Id(0)] public TimeSpan Duration { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>1 = fixed duration; k &gt; 1 = duration varies deterministically per mask in [Duration, k * Duration].</summary>
    [Id(1)] public double DurationSpread { get; init; } = 1;

    /// <summary>Segments of the synthetic genome, each with this many bits.</summary>
    [Id(2)] public IReadOnlyList<int> SegmentBits { get; init; } = [16, 16, 32];

    /// <summary>Masks whose kept fraction is below this fail with a reason (to exercise failure handling); 0 disables.</summary>
    [Id(3)] public double FailBelowKeptFraction { get; init; }

    /// <summary>Changes the checkpoint identity (and thus every individual key) without changing any metric.</summary>
    [Id(4)] public string Salt { get; init; } = "";

    /// <summary>Deterministic fault injection (hang, crash, out-of-memory) for lifecycle tests.</summary>
    [Id(70)] public IReadOnlyList<SyntheticFault> Faults { get; init; } = [];

    /// <summary>How long the prepare step takes, as a baseline being trained would (it stops when cancelled); 0 = at once.</summary>
    [Id(71)] public TimeSpan PrepareDuration { get; init; }
}

/// <summary>A pruning search submitted to the cluster.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ExperimentSpec")]
public sealed record ExperimentSpec
{
    /// <summary>The deterministic stand-in backend's name (tests, benchmarks, demos).</summary>
    public const string SyntheticBackend = "synthetic";

    [Id(0)] public string Name { get; init; } = "experiment";

    /// <summary>Evaluation backend: "torchsharp" (product) or "synthetic" (tests and benchmarks).</summary>
    [Id(1)] public string Backend { get; init; } = "torchsharp";
    [Id(2)] public string Model { get; init; } = "vgg";
    [Id(3)] public string Dataset { get; init; } = "fashion-mnist";
    [Id(4)] public string? DataRoot { get; init; }
    [Id(5)] public BaselineSettings Baseline { get; init; } = new();
    [Id(6)] public IReadOnlyList<ObjectiveDefinition> Objectives { get; init; } =
        [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)];
    [Id(7)] public IReadOnlyList<ConstraintDefinition> Constraints { get; init; } = [];
    [Id(8)] public SearchSettings Search { get; init; } = new();
    [Id(9)] public BudgetSettings Budget { get; init; } = new() { MaxEvaluations = 200 };
    [Id(10)] public EvaluationSettingsSpec Evaluation { get; init; } = new();

    /// <summary>Share of the cluster's slots relative to other running experiments (&gt; 0).</summary>
    [Id(11)] public double Weight { get; init; } = 1;

    /// <summary>Scales the weight by 2^Priority (0..10); a higher priority gets more slots but never starves others.</summary>
    [Id(12)] public int Priority { get; init; }

    /// <summary>Most evaluations in flight at once for this experiment; 0 = no cap beyond the cluster's slots.</summary>
    [Id(13)] public int MaxConcurrency { get; init; }
    [Id(14)] public SyntheticSettings? Synthetic { get; init; }

    /// <summary>Object form of <c>"dataset"</c>: a data set by format and folder. When set, <see cref="Dataset"/> holds its format.</summary>
    [Id(30)] public DatasetSourceSpec? DatasetSource { get; init; }

    /// <summary>Object form of <c>"model"</c>: an ONNX file or a built-in architecture with weights. When set, <see cref="Model"/> holds "onnx" or the architecture.</summary>
    [Id(31)] public ModelSourceSpec? ModelSource { get; init; }

    /// <summary>Longer recovery of the final Pareto set (null = none).</summary>
    [Id(20)] public FinalRecoverySettings? FinalRecovery { get; init; }

    /// <summary>
    /// Longest one evaluation attempt may run before it is cancelled and re-issued elsewhere; null = derived from the
    /// settings by the backend's defaults, else the cluster's default.
    /// </summary>
    [Id(70)] public TimeSpan? EvaluationDeadline { get; init; }

    /// <summary>Attempts per candidate (transient failures spread over different silos) before it is recorded as failed; null = cluster default.</summary>
    [Id(71)] public int? MaxAttempts { get; init; }

    /// <summary>
    /// Device class every evaluation must run on (e.g. "cpu-x86-2c", "nvidia-h100"). Null: the experiment pins the class
    /// of the first silo it is granted a slot on, so measured objectives (latency, energy) are never compared across classes.
    /// </summary>
    [Id(72)] public string? DeviceClass { get; init; }

    /// <summary>True when <c>search.fidelities</c> has two rungs or more.</summary>
    public bool IsMultiFidelity => Search?.IsMultiFidelity == true;

    /// <summary>The rung a candidate at <paramref name="rung"/> is evaluated with; null for a single-fidelity search.</summary>
    public FidelityRung? RungAt(int rung) =>
        IsMultiFidelity ? Search.Fidelities![Math.Clamp(rung, 0, Search.Fidelities.Count - 1)] : null;

    /// <summary>Effective fair-share weight.</summary>
    public double ShareWeight => Weight * Math.Pow(2, Math.Clamp(Priority, 0, 10));
}
