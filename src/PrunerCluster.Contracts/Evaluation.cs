using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PrunerCluster.Contracts;

/// <summary>One prunable group of the genome (mirrors the evolution library's SegmentSpec).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.GenomeSegment")]
public sealed record GenomeSegment(
    [property: Id(0)] string Name,
    [property: Id(1)] int Bits,
    [property: Id(2)] int IntGenes = 0,
    [property: Id(3)] int IntGeneMax = 0,
    [property: Id(4)] int MinKeep = 1);

/// <summary>
/// What a backend's prepare step produced for an experiment: the genome layout of the model, the identity of the baseline
/// checkpoint and of the effective evaluation settings, and the baseline's own metrics.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.PreparedExperiment")]
public sealed record PreparedExperiment
{
    [Id(0)] public required IReadOnlyList<GenomeSegment> Segments { get; init; }

    /// <summary>Lowercase hex SHA-256 of the baseline checkpoint.</summary>
    [Id(1)] public required string CheckpointHash { get; init; }

    /// <summary>Lowercase hex SHA-256 of the effective evaluation settings.</summary>
    [Id(2)] public required string SettingsHash { get; init; }
    [Id(3)] public string? CheckpointPath { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, double> BaselineMetrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Magnitude importance per unit, by segment name, optional: seeds the first population with magnitude-ranked masks.</summary>
    [Id(5)] public IReadOnlyDictionary<string, double[]>? SegmentImportance { get; init; }

    /// <summary>Device kind the baseline was prepared on, free text for status output.</summary>
    [Id(6)] public string PreparedOn { get; init; } = "";

    /// <summary>What the genome means (<see cref="GenomeEncodings"/>): the backend decides, the coordinator seeds and breeds accordingly.</summary>
    [Id(20)] public string Encoding { get; init; } = GenomeEncodings.ChannelBits;

    /// <summary>Keep levels of a level encoding: level l of L keeps (L - l) / L of a group's units before rounding.</summary>
    [Id(21)] public int KeepLevels { get; init; }

    /// <summary>
    /// Kept units per value of each segment's level gene, by segment name, widest first: the distinct widths of the
    /// <see cref="KeepLevels"/> levels after channel rounding, then below one rounding block by halving down to the spec's
    /// <c>search.minChannels</c>, so no two genomes of a level encoding give the same model. Stored at prepare time, so an
    /// experiment keeps its ladder when the defaults change.
    /// Null for channel bits, and for experiments prepared before it existed, whose gene is the level itself.
    /// </summary>
    [Id(22)] public IReadOnlyDictionary<string, int[]>? LevelCounts { get; init; }

    /// <summary>
    /// The data set's content hash pinned at prepare: SHA-256 of its manifest (the SHA-256 of each file under its root, by
    /// relative path), which is itself stored in the artifact store under this key. A silo whose copy differs refuses the
    /// work. Null: not pinned (a backend without files, or an experiment prepared before pinning).
    /// </summary>
    [Id(90)] public string? DatasetHash { get; init; }

    /// <summary>Problems with the data or the baseline the search should be read with (a tiny validation split, a barely trained baseline), with numbers.</summary>
    [Id(91)] public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The input normalisation every evaluation feeds the model (<c>dataset.normalize</c>) with its per-channel constants, e.g.
    /// <c>imagenet: mean 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225</c>; null for a backend without images.
    /// </summary>
    [Id(92)] public string? InputNormalization { get; init; }
}

/// <summary>Identity of one evaluation: SHA-256 over checkpoint hash, evaluation-settings hash and mask hash.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.IndividualKey")]
public sealed record IndividualKey([property: Id(0)] string Value)
{
    public static IndividualKey Compute(string checkpointHash, string settingsHash, string maskHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointHash);
        ArgumentException.ThrowIfNullOrEmpty(settingsHash);
        ArgumentException.ThrowIfNullOrEmpty(maskHash);
        var text = string.Create(CultureInfo.InvariantCulture, $"prunercluster.individual.v1\ncheckpoint={checkpointHash}\nsettings={settingsHash}\nmask={maskHash}");
        return new IndividualKey(Sha256Hex.Of(text));
    }

    /// <summary>As <see cref="Compute(string, string, string)"/>, plus the device class when measured objectives depend on it (null = independent of the hardware).</summary>
    public static IndividualKey Compute(string checkpointHash, string settingsHash, string maskHash, string? deviceClass) =>
        string.IsNullOrEmpty(deviceClass)
            ? Compute(checkpointHash, settingsHash, maskHash)
            : new IndividualKey(Sha256Hex.Of(Compute(checkpointHash, settingsHash, maskHash).Value + "\ndevice-class=" + deviceClass));

    /// <summary>As the device-class overload, plus the fidelity rung's settings when the search has a ladder (null = the evaluation settings alone).</summary>
    public static IndividualKey Compute(string checkpointHash, string settingsHash, string maskHash, string? deviceClass, FidelityRung? rung)
    {
        var key = Compute(checkpointHash, settingsHash, maskHash, deviceClass);
        return rung is null ? key : new IndividualKey(Sha256Hex.Of(key.Value + "\nfidelity=" + rung.KeyText));
    }

    /// <summary>The key of one mask's final recovery with <paramref name="recovery"/>'s settings (never equal to a search evaluation's key).</summary>
    public static IndividualKey ForFinalRecovery(string checkpointHash, string settingsHash, string maskHash, string? deviceClass, FinalRecoverySettings recovery, string? warmStartKey = null)
    {
        ArgumentNullException.ThrowIfNull(recovery);
        var key = Compute(checkpointHash, settingsHash, maskHash, deviceClass);
        var warm = warmStartKey is null ? "" : "\nwarm-start=" + warmStartKey;
        return new IndividualKey(Sha256Hex.Of(key.Value + "\nfinal-recovery=" + recovery.KeyText + warm));
    }

    public override string ToString() => Value;
}

/// <summary>Everything an individual grain needs to evaluate one mask, on whichever silo it lives.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.EvaluationRequest")]
public sealed record EvaluationRequest
{
    [Id(0)] public required string ExperimentId { get; init; }
    [Id(1)] public required long CandidateId { get; init; }
    [Id(2)] public required ExperimentSpec Spec { get; init; }
    [Id(3)] public required PreparedExperiment Prepared { get; init; }

    /// <summary>Canonical text of the mask genome (evolution library's Genome.ToCanonicalString()).</summary>
    [Id(4)] public required string MaskText { get; init; }

    /// <summary>Lowercase hex SHA-256 of <see cref="MaskText"/>.</summary>
    [Id(5)] public required string MaskHash { get; init; }

    /// <summary>Device class the evaluation must run on; part of the key (set only when measured objectives depend on it).</summary>
    [Id(70)] public string? DeviceClass { get; init; }

    /// <summary>Longest this attempt may run before it is cancelled and reported as a transient failure.</summary>
    [Id(71)] public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Fidelity rung of <c>search.fidelities</c> to evaluate at (0 for a single-fidelity search); part of the key.</summary>
    [Id(72)] public int Rung { get; init; }

    /// <summary>
    /// Rung above 0 of a ladder: the key of the same mask's evaluation one rung below, whose fine-tuned weights (in the
    /// artifact store) this evaluation continues from for the steps that rung lacks; null = start from the baseline.
    /// A final recovery of a ladder's member: the key of the member's highest-rung evaluation, continued for the
    /// recovery's full steps (part of its key).
    /// </summary>
    [Id(73)] public string? WarmStartKey { get; init; }

    /// <summary>Fine-tune steps the <see cref="WarmStartKey"/> evaluation ran.</summary>
    [Id(74)] public int WarmStartSteps { get; init; }

    /// <summary>
    /// Set for a final-recovery evaluation after the search: fine-tune from the baseline with these settings, score on the
    /// held-out test set and re-time (the fidelity rung does not apply); part of the key. Null: a search evaluation.
    /// </summary>
    [Id(75)] public FinalRecoverySettings? FinalRecovery { get; init; }

    /// <summary>
    /// A final recovery's folder name for the recovered model, chosen by the coordinator; a silo whose host keeps recovered
    /// models saves it there (reduced to one safe path segment). Not part of the key.
    /// </summary>
    [Id(76)] public string? ExportName { get; init; }

    /// <summary>The rung's settings, or null for a single-fidelity search (and for final recovery, which has its own).</summary>
    public FidelityRung? Fidelity => FinalRecovery is null ? Spec.RungAt(Rung) : null;

    public IndividualKey Key => FinalRecovery is { } recovery
        ? IndividualKey.ForFinalRecovery(Prepared.CheckpointHash, Prepared.SettingsHash, MaskHash, DeviceClass, recovery, WarmStartKey)
        : IndividualKey.Compute(Prepared.CheckpointHash, Prepared.SettingsHash, MaskHash, DeviceClass, Fidelity);
}

/// <summary>Result of one evaluation; failures are results too, with a reason.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.EvaluationOutcome")]
public sealed record EvaluationOutcome
{
    [Id(0)] public bool Succeeded { get; init; }
    [Id(1)] public string? FailureReason { get; init; }
    [Id(2)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>"measured-nvml" | "measured-rapl" | "modeled" | "synthetic".</summary>
    [Id(3)] public string EnergySource { get; init; } = "modeled";
    [Id(4)] public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();
    [Id(5)] public string Device { get; init; } = "";
    [Id(6)] public string Silo { get; init; } = "";
    [Id(7)] public DateTimeOffset StartedAt { get; init; }
    [Id(8)] public DateTimeOffset CompletedAt { get; init; }

    /// <summary>Time spent waiting in the silo's slot queue before a slot thread picked it up.</summary>
    [Id(9)] public double QueueSeconds { get; init; }

    /// <summary>Whether a failure is a property of the mask or of this attempt; None for a success or a failure not yet classified.</summary>
    [Id(70)] public FailureKind Kind { get; init; }

    /// <summary>Device class of the silo that ran it (measured objectives compare only within one class).</summary>
    [Id(71)] public string DeviceClass { get; init; } = "";

    /// <summary>
    /// A final recovery whose silo saved the recovered model: the folder's name under the silo's recovered-models root (set
    /// by its host, never by a client). Null: no model was saved.
    /// </summary>
    [Id(72)] public string? ExportName { get; init; }

    public static EvaluationOutcome Failure(string reason, string silo = "", string device = "") =>
        new() { Succeeded = false, FailureReason = reason, Silo = silo, Device = device, EnergySource = "none" };

    /// <summary>A failure of this attempt only (deadline, cancellation, out-of-memory, crash): retried, never stored.</summary>
    public static EvaluationOutcome TransientFailure(string reason, string silo = "", string device = "") =>
        Failure(reason, silo, device) with { Kind = FailureKind.Transient };
}

/// <summary>What an individual grain knows about itself.</summary>
[GenerateSerializer, Alias("prunercluster.IndividualPhase")]
public enum IndividualPhase
{
    Idle = 0,
    Evaluating = 1,
    Completed = 2,
}

[GenerateSerializer, Immutable, Alias("prunercluster.IndividualSnapshot")]
public sealed record IndividualSnapshot
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public IndividualPhase Phase { get; init; }
    [Id(2)] public EvaluationOutcome? Outcome { get; init; }
    [Id(3)] public string? MaskText { get; init; }

    /// <summary>How many times this key was actually run on a slot (persisted; 1 in a healthy cluster).</summary>
    [Id(4)] public int Runs { get; init; }
    [Id(5)] public int Subscribers { get; init; }
    [Id(6)] public string Silo { get; init; } = "";
}
