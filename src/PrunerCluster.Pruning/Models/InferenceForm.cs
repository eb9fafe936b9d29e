using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// A model as a deployment runtime executes it: every BatchNorm that directly follows a convolution (the convolution's output
/// read by nothing else) is folded into that convolution's weights and bias, as ONNX Runtime, TensorRT and OpenVINO do at load
/// time. Latency is timed on this form, so the objective is the latency of the model a user ships, without one memory-bound
/// pass per convolution that no deployed model runs. Eval-mode outputs equal the source model's up to float rounding.
/// </summary>
public static class InferenceForm
{
    /// <summary>The BatchNorm nodes of <paramref name="graph"/> that fold into their producing convolution.</summary>
    public static IReadOnlyList<(GraphNode Conv, GraphNode BatchNorm)> FoldablePairs(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var producers = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
        {
            producers[n.Output] = n;
            foreach (var i in n.Inputs)
            {
                readers[i] = readers.GetValueOrDefault(i) + 1;
            }
        }

        var pairs = new List<(GraphNode, GraphNode)>();
        foreach (var n in graph.Nodes.Where(n => n.Op == GraphOp.BatchNorm))
        {
            var input = n.Inputs[0];
            if (producers.TryGetValue(input, out var p) && p.Op == GraphOp.Conv && readers.GetValueOrDefault(input) == 1 && input != graph.Output)
            {
                pairs.Add((p, n));
            }
        }

        return pairs;
    }

    /// <summary>
    /// A new model (same device, eval mode) with the foldable BatchNorms folded; the caller disposes it. A model without any
    /// is copied as is, so the result is always the caller's to dispose and never aliases <paramref name="source"/>.
    /// </summary>
    public static ZooModel Fold(ZooModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var pairs = FoldablePairs(source.Graph);
        if (pairs.Count == 0)
        {
            var copy = MaskApplier.Clone(source);
            copy.eval();
            return copy;
        }

        var folded = pairs.ToDictionary(p => p.Conv.Name, p => p.BatchNorm, StringComparer.Ordinal);
        var dropped = pairs.Select(p => p.BatchNorm.Name).ToHashSet(StringComparer.Ordinal);
        var nodes = source.Graph.Nodes
            .Where(n => !dropped.Contains(n.Name))
            .Select(n => folded.TryGetValue(n.Name, out var bn) ? n with { Bias = true, Output = bn.Output } : n)
            .ToArray();
        var target = new ZooModel(source.Graph with { Nodes = nodes }, source.Architecture, 0);
        try
        {
            target.to(MaskApplier.DeviceOf(source));
            using var scope = torch.NewDisposeScope();
            using var guard = torch.no_grad();
            var src = MaskApplier.Tensors(source);
            foreach (var (name, dst) in MaskApplier.Tensors(target))
            {
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && folded.TryGetValue(name[..dot], out var bn))
                {
                    dst.copy_(FoldedTensor(src, name[..dot], name[(dot + 1)..], bn));
                }
                else
                {
                    dst.copy_(src[name]);
                }
            }

            target.eval();
            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    private static Tensor FoldedTensor(Dictionary<string, Tensor> src, string conv, string tensor, GraphNode bn)
    {
        var scale = src[bn.Name + ".weight"] / (src[bn.Name + ".running_var"] + bn.Epsilon).sqrt();
        if (tensor == "weight")
        {
            var w = src[conv + ".weight"];
            return w * scale.reshape(-1, 1, 1, 1);
        }

        var bias = src.TryGetValue(conv + ".bias", out var b) ? b : torch.zeros_like(scale);
        return ((bias - src[bn.Name + ".running_mean"]) * scale) + src[bn.Name + ".bias"];
    }
}
