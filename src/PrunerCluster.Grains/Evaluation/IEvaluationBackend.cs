using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Evaluation;

/// <summary>Where one evaluation runs: a slot thread bound to one device of one silo.</summary>
public sealed record SlotContext(int SlotIndex, string DeviceKind, string Device, string Silo);

/// <summary>
/// How grains see model evaluation. The product backend wraps the TorchSharp pruning engine; the synthetic backend serves
/// tests and benchmarks. Selected per experiment by <see cref="ExperimentSpec.Backend"/> == <see cref="Name"/>.
/// </summary>
public interface IEvaluationBackend
{
    string Name { get; }

    /// <summary>Checks that need the backend (model known, dataset present...). Each error names the spec field.</summary>
    IReadOnlyList<SpecError> Validate(ExperimentSpec spec);

    /// <summary>
    /// Genome layout, checkpoint identity and baseline metrics for a spec. May train a baseline for minutes, so
    /// implementations must do heavy work off the caller's thread (e.g. a dedicated long-running task); callers never
    /// await it inside a grain call.
    /// </summary>
    Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, CancellationToken cancellationToken);

    /// <summary>As <see cref="PrepareAsync(ExperimentSpec, CancellationToken)"/>, reporting training progress to <paramref name="progress"/> where the backend trains something.</summary>
    Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, IProgress<PreparationProgress>? progress, CancellationToken cancellationToken) =>
        PrepareAsync(spec, cancellationToken);

    /// <summary>
    /// Evaluates one mask synchronously. Called only on a dedicated slot thread, never on the Orleans scheduler.
    /// Never throws for a bad mask, NaN or out-of-memory: returns a failed outcome with the reason.
    /// </summary>
    EvaluationOutcome Evaluate(EvaluationRequest request, SlotContext slot, CancellationToken cancellationToken);
}

/// <summary>The backends registered on this silo, by name.</summary>
public sealed class EvaluationBackendCatalog(IEnumerable<IEvaluationBackend> backends)
{
    private readonly Dictionary<string, IEvaluationBackend> _byName =
        backends.GroupBy(b => b.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public bool TryGet(string name, out IEvaluationBackend backend) => _byName.TryGetValue(name, out backend!);

    public IEvaluationBackend Get(string name) =>
        TryGet(name, out var backend)
            ? backend
            : throw new InvalidOperationException($"Evaluation backend '{name}' is not registered on this silo (registered: {string.Join(", ", Names)}).");

    /// <summary>Backend validation, plus an error naming the field when the backend itself is unknown.</summary>
    public IReadOnlyList<SpecError> Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!TryGet(spec.Backend, out var backend))
        {
            return [new SpecError("backend", $"unknown backend '{spec.Backend}'; registered: {string.Join(", ", Names.Order(StringComparer.Ordinal))}")];
        }

        return backend.Validate(spec);
    }
}
