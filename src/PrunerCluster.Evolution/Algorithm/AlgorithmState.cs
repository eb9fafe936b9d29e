using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrunerCluster.Evolution;

/// <summary>
/// The whole state of an <see cref="Nsga2"/> run as plain data (settings, RNG words, population, queue, pending and told
/// candidates, Pareto archive, evaluated-genome hashes, counters). <see cref="Nsga2.Restore"/> of this state continues
/// exactly like the uninterrupted run.
/// </summary>
public sealed record AlgorithmState : ISearchState
{
    public const int CurrentVersion = 1;

    private static JsonSerializerOptions JsonOptions => SearchStateJson.Options;

    public int Version { get; init; } = CurrentVersion;

    public required Nsga2Settings Settings { get; init; }

    public required string LayoutHash { get; init; }

    public required IReadOnlyList<string> ObjectiveNames { get; init; }

    public required IReadOnlyList<ulong> RandomState { get; init; }

    public long NextId { get; init; }

    public int Generation { get; init; }

    public int EvaluationCount { get; init; }

    public int FailureCount { get; init; }

    public bool Exhausted { get; init; }

    public long ElapsedTicks { get; init; }

    /// <summary>Which of the settings' initial densities random initialization uses next.</summary>
    public int DensityCursor { get; init; }

    public IReadOnlyList<IndividualState> Population { get; init; } = [];

    public IReadOnlyList<CandidateState> Queue { get; init; } = [];

    public IReadOnlyList<CandidateState> Pending { get; init; } = [];

    /// <summary>Generational mode: offspring of the current generation already told (failures are not listed).</summary>
    public IReadOnlyList<IndividualState> Told { get; init; } = [];

    public IReadOnlyList<IndividualState> Archive { get; init; } = [];

    /// <summary>First 128 bits (32 hex digits) of the content hash of every genome evaluated, pending or queued, sorted.</summary>
    public IReadOnlyList<string> SeenHashes { get; init; } = [];

    public IReadOnlyList<double> HypervolumeHistory { get; init; } = [];

    /// <summary>Multi-fidelity: every successful result by rung (empty for a single-fidelity run).</summary>
    public IReadOnlyList<RungResultState> RungResults { get; init; } = [];

    /// <summary>Multi-fidelity: promotions decided but not handed out yet, in order.</summary>
    public IReadOnlyList<CandidateState> Promotions { get; init; } = [];

    /// <summary>Reference point of the stagnation criterion, in minimization form, once fixed.</summary>
    public IReadOnlyList<double>? StagnationReference { get; init; }

    /// <summary>Not written: a state without an "algorithm" property is NSGA-II's (<see cref="SearchStates"/>), so stored states stay as they were.</summary>
    string ISearchState.Algorithm => Nsga2.AlgorithmName;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static AlgorithmState FromJson(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        using (var doc = JsonDocument.Parse(json))
        {
            if (!doc.RootElement.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number)
            {
                throw new FormatException("The algorithm state has no numeric 'version'.");
            }

            if (v.GetInt32() != CurrentVersion)
            {
                throw new FormatException($"Algorithm state version {v.GetInt32()} is not supported (this library reads version {CurrentVersion}).");
            }
        }

        return JsonSerializer.Deserialize<AlgorithmState>(json, JsonOptions)
            ?? throw new FormatException("The algorithm state JSON is null.");
    }
}
