using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Structure;

public static class PruningStructure
{
    public static IReadOnlyList<PrunableGroup> Analyze(ZooModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Analyze(model.Architecture);
    }

    public static IReadOnlyList<PrunableGroup> Analyze(BaselineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Analyze(checkpoint.Architecture ?? throw new ArgumentException($"Checkpoint '{checkpoint.Path}' records no architecture.", nameof(checkpoint)));
    }

    public static IReadOnlyList<PrunableGroup> Analyze(ArchitectureSpec architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var layers = Blueprints.Build(architecture);
        var groups = new List<PrunableGroup>();
        foreach (var w in architecture.Widths)
        {
            var producers = layers.Where(l => l.OutGroup == w.Group).Select(l => l.Name).ToArray();
            var consumers = layers.Where(l => l.InGroup == w.Group && l.Kind != LayerKind.BatchNorm).Select(l => l.Name).ToArray();
            var weighted = layers.Where(l => l.OutGroup == w.Group && l.Kind != LayerKind.BatchNorm).ToArray();
            var kind = weighted.Length > 1 ? GroupKinds.ResidualChannels
                : weighted.All(l => l.Kind == LayerKind.Linear) ? GroupKinds.LinearNeurons
                : GroupKinds.ConvChannels;
            groups.Add(new PrunableGroup(w.Group, w.Units, kind, producers, consumers));
        }

        return groups;
    }
}
