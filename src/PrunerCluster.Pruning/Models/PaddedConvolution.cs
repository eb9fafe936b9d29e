using PrunerCluster.Pruning.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// A dense convolution computed on channel counts rounded up to <see cref="ConvolutionBackend.ChannelBlock"/>: the
/// weight (and bias) gain zero output and input channels, the input zero channels, and the extra output channels are cut
/// off again. Every added product is zero, so the result is the unpadded convolution's (up to summation order), and
/// gradients reach exactly the real weights; what changes is that oneDNN runs its full-block kernels, which on the hosts
/// <see cref="ConvolutionBackend"/> describes do not return the sporadic NaNs of partial blocks. The image channels of a
/// convolution that reads the model input are left as they are (never pruned, not seen to fault).
/// </summary>
internal static class PaddedConvolution
{
    /// <summary>Whether <paramref name="node"/> is computed padded right now (<see cref="ConvolutionBackend.Process.PadsChannels"/>).</summary>
    public static bool Applies(GraphNode node, Tensor x) =>
        ConvolutionBackend.Process.PadsChannels && x.device_type == DeviceType.CPU && node.Groups == 1 && !node.Depthwise;

    public static Tensor Forward(GraphNode node, Conv2d conv, Tensor x, bool padInput)
    {
        var weight = conv.weight ?? throw new InvalidOperationException($"Convolution '{node.Name}' has no weight.");
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        var outPadded = RoundUp(outChannels);
        var inPadded = padInput ? RoundUp(inChannels) : inChannels;
        if (outPadded == outChannels && inPadded == inChannels)
        {
            return conv.call(x);
        }

        using var paddedWeight = F.pad(weight, [0, 0, 0, 0, 0, inPadded - inChannels, 0, outPadded - outChannels]);
        using var paddedBias = conv.bias is { } bias ? F.pad(bias, [0, outPadded - outChannels]) : null;
        using var paddedInput = inPadded != inChannels ? F.pad(x, [0, 0, 0, 0, 0, inPadded - inChannels]) : null;
        using var y = F.conv2d(paddedInput ?? x, paddedWeight, paddedBias, [node.Stride, node.Stride], [node.Padding, node.PaddingW], [node.Dilation, node.Dilation]);
        if (outPadded == outChannels)
        {
            return y.alias();
        }

        using var kept = y.narrow(1, 0, outChannels);
        return kept.contiguous();
    }

    private static long RoundUp(long channels)
    {
        var block = ConvolutionBackend.ChannelBlock;
        return (channels + block - 1) / block * block;
    }
}
