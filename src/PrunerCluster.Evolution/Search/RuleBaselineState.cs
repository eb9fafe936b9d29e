namespace PrunerCluster.Evolution;

/// <summary>The whole state of a <see cref="RuleBaseline"/> run; its genome list follows from the settings again on restore.</summary>
public sealed record RuleBaselineState : ISearchState
{
    public const int CurrentVersion = 1;

    public string Algorithm { get; init; } = RuleBaseline.AlgorithmName;

    public int Version { get; init; } = CurrentVersion;

    public required RuleBaselineSettings Settings { get; init; }

    public required string LayoutHash { get; init; }

    public required IReadOnlyList<string> ObjectiveNames { get; init; }

    /// <summary>How many of the distinct, repaired genomes were handed out.</summary>
    public int Proposed { get; init; }

    public required SearchBookState Book { get; init; }

    public string ToJson() => SearchStateJson.Write(this);

    public static RuleBaselineState FromJson(string json) => SearchStateJson.Read<RuleBaselineState>(json, RuleBaseline.AlgorithmName, CurrentVersion);
}
