namespace PrunerCluster.Pruning.Structure;

public static class GroupKinds
{
    public const string ConvChannels = "conv-channels";
    public const string LinearNeurons = "linear-neurons";
    public const string ResidualChannels = "residual-channels";

    /// <summary>Whole groups of a grouped convolution, each with its input channels (from the layers feeding it) and its output channels.</summary>
    public const string ConvGroups = "conv-groups";
}

/// <summary>
/// Units removed together: conv output channels with their BatchNorm and the next layer's input channels, hidden neurons of a linear layer,
/// channels tied across residual connections, or whole groups of a grouped convolution (<see cref="MinKeep"/> 2 where a unit is one group,
/// so the convolution stays grouped). <see cref="Producers"/> create the units; <see cref="Consumers"/> read them.
/// The evolution layer maps each group to one genome segment with Bits = <see cref="Units"/>.
/// </summary>
public sealed record PrunableGroup(string Name, int Units, string Kind, IReadOnlyList<string> Producers, IReadOnlyList<string> Consumers, int MinKeep = 1)
{
    public IEnumerable<string> Layers => Producers.Concat(Consumers).Distinct(StringComparer.Ordinal);
}
