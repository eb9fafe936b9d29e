using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Structure;

public static class PruningStructure
{
    /// <summary>The model's groups, derived from its graph, in the order of its architecture's widths.</summary>
    public static IReadOnlyList<PrunableGroup> Analyze(ZooModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Ordered(model.Analysis.Groups, model.Architecture);
    }

    public static IReadOnlyList<PrunableGroup> Analyze(BaselineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Analyze(checkpoint.Architecture ?? throw new ArgumentException($"Checkpoint '{checkpoint.Path}' records no architecture.", nameof(checkpoint)));
    }

    public static IReadOnlyList<PrunableGroup> Analyze(ArchitectureSpec architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return Ordered(GraphAnalysis.Of(ModelZoo.Graph(architecture)).Groups, architecture);
    }

    /// <summary>
    /// Groups without the ones a listed layer produces or is tied to (their units are then never pruned); throws naming unknown layers.
    /// </summary>
    public static IReadOnlyList<PrunableGroup> Exclude(IReadOnlyList<PrunableGroup> groups, IReadOnlyCollection<string> layers, IEnumerable<string> knownLayers)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(layers);
        var known = knownLayers.ToHashSet(StringComparer.Ordinal);
        var unknown = layers.Where(l => !known.Contains(l)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Cannot exclude unknown layer(s) {string.Join(", ", unknown)}; layers: {string.Join(", ", known.Order(StringComparer.Ordinal))}.", nameof(layers));
        }

        return groups.Where(g => !g.Producers.Any(layers.Contains)).ToArray();
    }

    private static PrunableGroup[] Ordered(IReadOnlyList<PrunableGroup> groups, ArchitectureSpec architecture)
    {
        var order = architecture.Widths.Select(w => w.Group).ToList();
        return groups.OrderBy(g => order.IndexOf(g.Name) is var i && i < 0 ? int.MaxValue : i).ToArray();
    }
}
