using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// The constant operand of a per-channel Add/Sub/Mul/Div of an imported graph (input normalisation, a layer scale): a buffer
/// <c>weight</c> of one value per channel, sliced with the channels' group and not trained.
/// </summary>
internal sealed class ChannelConstant : nn.Module<Tensor, Tensor>
{
    public ChannelConstant(string name, int channels)
        : base(name)
    {
        register_buffer("weight", torch.zeros(channels));
    }

    /// <summary>The values shaped 1 x C x 1 x 1 (for a map, rank 4) or 1 x C (for a vector); the caller disposes the view.</summary>
    public Tensor Broadcastable(long rank)
    {
        var values = get_buffer("weight")!;
        return rank == 4 ? values.view(1, -1, 1, 1) : values.view(1, -1);
    }

    public override Tensor forward(Tensor input) => throw new InvalidOperationException($"'{GetName()}' is an operand of its element-wise node, not a layer.");
}
