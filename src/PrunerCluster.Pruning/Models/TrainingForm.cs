using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// The as-trained form of a model whose BatchNorms were folded into its convolutions (what <c>torch.onnx.export</c> writes in
/// eval mode): an affine BatchNorm is re-inserted after every convolution that has a bias and whose output no normalisation
/// reads, so fine-tuning trains a normalised network as the original was trained, not the folded weights (whose scale the
/// fine-tuning rate was not chosen for). Each re-inserted BatchNorm starts as the identity of the deployed model: its running
/// statistics are the convolution's output mean and variance over seeded training batches of the deployed model, its gamma
/// and beta undo them, and the convolution's filters are rescaled per output channel to He scale (sqrt(2 / fan-in) per
/// element), which a BatchNorm after it makes free. <see cref="FoldInto"/> folds the re-inserted BatchNorms back into the
/// deployed model's convolutions, so timing, export and the MAC/parameter counts see the deployed graph; its eval-mode
/// outputs equal the training form's up to float rounding. Synchronous; call on one thread.
/// </summary>
public sealed class TrainingForm : IDisposable
{
    /// <summary>Suffix of the re-inserted BatchNorm nodes' names (<c>conv__ftbn</c>).</summary>
    public const string Suffix = "__ftbn";

    private readonly IReadOnlyDictionary<string, GraphNode> inserted;

    private TrainingForm(ZooModel model, IReadOnlyDictionary<string, GraphNode> inserted)
    {
        Model = model;
        this.inserted = inserted;
    }

    /// <summary>The model to fine-tune (same device as the deployed model; in eval mode).</summary>
    public ZooModel Model { get; }

    /// <summary>Re-inserted BatchNorms, by the convolution they follow.</summary>
    public IReadOnlyCollection<string> Convolutions => [.. inserted.Keys];

    /// <summary>The convolutions of <paramref name="graph"/> that look folded: a bias, an output that no BatchNorm reads, not the graph's output.</summary>
    public static IReadOnlyList<GraphNode> FoldedConvolutions(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var normalised = graph.Nodes.Where(n => n.Op == GraphOp.BatchNorm).Select(n => n.Inputs[0]).ToHashSet(StringComparer.Ordinal);
        return graph.Nodes.Where(n => n.Op == GraphOp.Conv && n.Bias && n.Output != graph.Output && !normalised.Contains(n.Output)).ToArray();
    }

    /// <summary>
    /// The training form of <paramref name="deployed"/>, its BatchNorms initialised on <paramref name="batches"/> training batches
    /// (those <see cref="Trainer"/> draws for <paramref name="seed"/>); null when no convolution looks folded.
    /// </summary>
    public static TrainingForm? Build(ZooModel deployed, ImageDataset data, int batches, int batchSize, ulong seed, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var convs = FoldedConvolutions(deployed.Graph);
        if (convs.Count == 0)
        {
            return null;
        }

        var (nodes, added) = WithBatchNorms(deployed.Graph, convs);
        var model = new ZooModel(deployed.Graph with { Nodes = nodes }, deployed.Architecture, 0);
        try
        {
            var device = MaskApplier.DeviceOf(deployed);
            model.to(device);
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
            CopyAsIdentity(deployed, model, added.Values.Select(bn => ((BatchNorm)modules[bn.Name], bn)));
            var stats = Statistics(model, added.Values.Select(b => (BatchNorm)modules[b.Name]).ToArray(), data, batches, batchSize, seed, gate, ct);
            var i = 0;
            foreach (var (convName, bn) in added)
            {
                Initialize((Conv2d)modules[convName], (BatchNorm)modules[bn.Name], bn.Epsilon, stats[i++], device);
            }

            model.eval();
            return new TrainingForm(model, added);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes the trained weights into <paramref name="deployed"/> (same graph as the one built from), folding the re-inserted BatchNorms into their convolutions.</summary>
    public void FoldInto(ZooModel deployed)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var src = MaskApplier.Tensors(Model);
        foreach (var (name, dst) in MaskApplier.Tensors(deployed))
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && inserted.TryGetValue(name[..dot], out var bn))
            {
                var conv = name[..dot];
                var scale = src[bn.Name + ".weight"] / (src[bn.Name + ".running_var"] + bn.Epsilon).sqrt();
                dst.copy_(name[(dot + 1)..] == "weight"
                    ? src[conv + ".weight"] * scale.reshape(-1, 1, 1, 1)
                    : ((src[conv + ".bias"] - src[bn.Name + ".running_mean"]) * scale) + src[bn.Name + ".bias"]);
            }
            else
            {
                dst.copy_(src[name]);
            }
        }
    }

    public void Dispose() => Model.Dispose();

    /// <summary>The nodes of <paramref name="graph"/> with an affine BatchNorm after each of <paramref name="convs"/>, and those BatchNorms by the convolution they follow.</summary>
    private static (List<GraphNode> Nodes, Dictionary<string, GraphNode> Added) WithBatchNorms(ModelGraph graph, IReadOnlyList<GraphNode> convs)
    {
        var names = graph.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var added = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        var nodes = new List<GraphNode>();
        foreach (var n in graph.Nodes)
        {
            if (!convs.Contains(n))
            {
                nodes.Add(n);
                continue;
            }

            var name = n.Name + Suffix;
            while (!names.Add(name))
            {
                name += "_";
            }

            var raw = n.Output + Suffix;
            var bn = new GraphNode(name, GraphOp.BatchNorm, [raw], n.Output) { Epsilon = 1e-5, Momentum = 0.1 };
            nodes.Add(n with { Output = raw });
            nodes.Add(bn);
            added[n.Name] = bn;
        }

        return (nodes, added);
    }

    /// <summary>Copies the deployed weights into <paramref name="model"/>; each re-inserted BatchNorm is the identity in eval mode while the statistics are gathered: mean 0, variance 1 - eps, gamma 1, beta 0.</summary>
    private static void CopyAsIdentity(ZooModel deployed, ZooModel model, IEnumerable<(BatchNorm Module, GraphNode Node)> batchNorms)
    {
        using var guard = torch.no_grad();
        var src = MaskApplier.Tensors(deployed);
        foreach (var (name, dst) in MaskApplier.Tensors(model))
        {
            if (src.TryGetValue(name, out var s))
            {
                dst.copy_(s);
            }
        }

        foreach (var (b, bn) in batchNorms)
        {
            b.running_mean!.zero_();
            b.running_var!.fill_(1.0 - bn.Epsilon);
            b.weight!.fill_(1.0);
            b.bias!.zero_();
        }
    }

    /// <summary>
    /// Rescales <paramref name="conv"/>'s filters per output channel to He scale and sets <paramref name="b"/> so that together they
    /// compute the deployed convolution, whose output has <paramref name="stats"/>.
    /// </summary>
    private static void Initialize(Conv2d conv, BatchNorm b, double epsilon, (double[] Mean, double[] Variance) stats, Device device)
    {
        using var guard = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var w = conv.weight!;
        var fanIn = w.shape[1] * w.shape[2] * w.shape[3];
        var rms = w.pow(2).mean([1, 2, 3]).sqrt();
        var target = Math.Sqrt(2.0 / fanIn);
        var scale = torch.where(rms > 1e-12, target / rms.clamp_min(1e-12), torch.ones_like(rms));
        w.mul_(scale.reshape(-1, 1, 1, 1));
        conv.bias!.mul_(scale);
        var mu = torch.tensor(stats.Mean, device: device);
        var sigma2 = torch.tensor(stats.Variance, device: device).clamp_min(0);
        b.running_mean!.copy_(mu * scale);
        b.running_var!.copy_(sigma2 * scale * scale);
        b.weight!.copy_((((sigma2 * scale * scale) + epsilon).sqrt()) / scale);
        b.bias!.copy_(mu);
        b.num_batches_tracked?.zero_();
    }

    /// <summary>Per re-inserted BatchNorm, the mean and population variance per channel of its input over the batches, the model in eval mode.</summary>
    private static (double[] Mean, double[] Variance)[] Statistics(ZooModel model, BatchNorm[] layers, ImageDataset data, int batches, int batchSize, ulong seed, DeviceGate? gate, CancellationToken ct)
    {
        var sums = layers.Select(l => new double[l.running_mean!.shape[0]]).ToArray();
        var squares = layers.Select(l => new double[l.running_mean!.shape[0]]).ToArray();
        var counts = new double[layers.Length];
        var hooks = new List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover>();
        try
        {
            for (var i = 0; i < layers.Length; i++)
            {
                var k = i;
                hooks.Add(layers[i].register_forward_hook((_, input, output) =>
                {
                    using var x = input.detach().to(ScalarType.Float64);
                    using var s = x.sum([0, 2, 3]);
                    using var q = x.pow(2).sum([0, 2, 3]);
                    var sv = s.cpu().data<double>().ToArray();
                    var qv = q.cpu().data<double>().ToArray();
                    for (var c = 0; c < sv.Length; c++)
                    {
                        sums[k][c] += sv[c];
                        squares[k][c] += qv[c];
                    }

                    counts[k] += x.shape[0] * x.shape[2] * x.shape[3];
                    return output;
                }));
            }

            var sampler = new StepSampler(data.Count, Math.Min(batchSize, data.Count), seed);
            var device = MaskApplier.DeviceOf(model);
            model.eval();
            for (var b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                using (gate?.EnterShared(ct))
                using (var scope = torch.NewDisposeScope())
                using (torch.no_grad())
                {
                    var (x, _) = data.GetBatch(sampler.Positions(b), device);
                    _ = model.call(x);
                }
            }
        }
        finally
        {
            foreach (var h in hooks)
            {
                h.remove();
            }
        }

        return layers.Select((_, i) =>
        {
            var n = Math.Max(1.0, counts[i]);
            var mean = sums[i].Select(v => v / n).ToArray();
            var variance = squares[i].Select((v, c) => Math.Max(0, (v / n) - (mean[c] * mean[c]))).ToArray();
            return (mean, variance);
        }).ToArray();
    }
}
