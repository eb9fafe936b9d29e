namespace PrunerCluster.Pruning.Structure;

public static class GroupKinds
{
    public const string ConvChannels = "conv-channels";
    public const string LinearNeurons = "linear-neurons";
    public const string ResidualChannels = "residual-channels";
}

/// <summary>
/// Units removed together: conv output channels with their BatchNorm and the next layer's input channels, hidden neurons of a linear layer,
/// or channels tied across residual connections. <see cref="Producers"/> create the units; <see cref="Consumers"/> read them.
/// The evolution layer maps each group to one genome segment with Bits = <see cref="Units"/>.
/// </summary>
public sealed record PrunableGroup(string Name, int Units, string Kind, IReadOnlyList<string> Producers, IReadOnlyList<string> Consumers, int MinKeep = 1)
{
    public IEnumerable<string> Layers => Producers.Concat(Consumers).Distinct(StringComparer.Ordinal);
}
