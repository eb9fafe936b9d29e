namespace PrunerCluster.Pruning.Models;

public enum LayerKind
{
    Conv,
    BatchNorm,
    Linear,
}

/// <summary>
/// One parametrized layer of a zoo model. <see cref="InGroup"/>/<see cref="OutGroup"/> name the prunable group that owns the input/output units
/// (null = fixed: image channels, classes). For a linear layer fed by a flattened feature map, <see cref="InRepeat"/> is the spatial size per channel.
/// </summary>
public sealed record LayerDesc(
    string Name,
    LayerKind Kind,
    string? InGroup,
    string? OutGroup,
    int InUnits,
    int OutUnits,
    int Kernel = 1,
    int Stride = 1,
    int Padding = 0,
    int InSize = 1,
    int OutSize = 1,
    bool Bias = true,
    int InRepeat = 1,
    int? KernelWidth = null,
    int? PaddingWidth = null)
{
    /// <summary>The kernel's width: <see cref="KernelWidth"/> for a non-square conv kernel, else <see cref="Kernel"/>.</summary>
    public int KernelW => KernelWidth ?? Kernel;

    /// <summary>The left and right padding: <see cref="PaddingWidth"/> when it differs from the top and bottom, else <see cref="Padding"/>.</summary>
    public int PaddingW => PaddingWidth ?? Padding;

    /// <summary>Multiply-accumulates per sample: conv Cout*Hout*Wout*Cin*K*K (groups = 1); linear in*out; BatchNorm 0 (foldable into the conv).</summary>
    public long Macs => Kind switch
    {
        LayerKind.Conv => (long)OutUnits * OutSize * OutSize * InUnits * Kernel * KernelW,
        LayerKind.Linear => (long)InUnits * InRepeat * OutUnits,
        _ => 0,
    };

    public long Parameters => Kind switch
    {
        LayerKind.Conv => ((long)OutUnits * InUnits * Kernel * KernelW) + (Bias ? OutUnits : 0),
        LayerKind.Linear => ((long)OutUnits * InUnits * InRepeat) + (Bias ? OutUnits : 0),
        LayerKind.BatchNorm => 2L * OutUnits,
        _ => 0,
    };

    /// <summary>Output activations per sample.</summary>
    public long OutputElements => Kind == LayerKind.Linear ? OutUnits : (long)OutUnits * OutSize * OutSize;

    /// <summary>Input activations per sample.</summary>
    public long InputElements => Kind == LayerKind.Linear ? (long)InUnits * InRepeat : (long)InUnits * InSize * InSize;
}

/// <summary>Dimension <see cref="Dim"/> of parameter/buffer <see cref="Tensor"/> is indexed by units of <see cref="Group"/>, each repeated <see cref="Repeat"/> times contiguously.</summary>
/// <remarks><see cref="Offset"/> is where the group's units start along the dimension (a Concat places several groups side by side).</remarks>
public sealed record TensorBinding(string Tensor, int Dim, string Group, int Repeat, bool Produces, int Offset = 0);
