using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>What a layer's forward time depends on (the key of a <see cref="LatencyTable"/>): its kind and every size, not its name or weights.</summary>
public sealed record LayerShape(LayerKind Kind, int InUnits, int OutUnits, int Kernel, int Stride, int Padding, int InSize, int InRepeat, bool Bias, int KernelWidth, int PaddingWidth)
{
    public static LayerShape Of(LayerDesc layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new(layer.Kind, layer.InUnits, layer.OutUnits, layer.Kernel, layer.Stride, layer.Padding, layer.InSize, layer.InRepeat, layer.Bias, layer.KernelW, layer.PaddingW);
    }
}
