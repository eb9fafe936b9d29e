using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrunerCluster.Pruning.Models;

public sealed record GroupWidth(string Group, int Units);

/// <summary>
/// Serializable description of a zoo model: its kind, input shape, classes and the width of every prunable group.
/// A pruned model is the same kind with smaller widths, so it can always be rebuilt (and reloaded) from this record.
/// </summary>
public sealed record ArchitectureSpec(string Kind, int InChannels, int ImageSize, int Classes, IReadOnlyList<GroupWidth> Widths)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public int Width(string group)
    {
        foreach (var w in Widths)
        {
            if (w.Group == group)
            {
                return w.Units;
            }
        }

        throw new ArgumentException($"Architecture '{Kind}' has no group '{group}'; groups: {string.Join(", ", Widths.Select(w => w.Group))}.", nameof(group));
    }

    public ArchitectureSpec WithWidths(IReadOnlyDictionary<string, int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        foreach (var name in widths.Keys)
        {
            _ = Width(name);
        }

        return this with { Widths = Widths.Select(w => widths.TryGetValue(w.Group, out var u) ? new GroupWidth(w.Group, u) : w).ToArray() };
    }

    public string ToCanonicalString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind};in={InChannels};size={ImageSize};classes={Classes};") + string.Join(',', Widths.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Group}={w.Units}")));

    public bool SameAs(ArchitectureSpec other) => other is not null && ToCanonicalString() == other.ToCanonicalString();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ArchitectureSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ArchitectureSpec>(json, JsonOptions) ?? throw new JsonException("Empty architecture JSON.");
}
