using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// A zoo network built from an <see cref="ArchitectureSpec"/>. Its parametrized layers are described by <see cref="Layers"/>,
/// from which the tensor-to-group bindings used for shrinking, masking and importance are derived.
/// </summary>
public abstract class ZooModel : nn.Module<Tensor, Tensor>
{
    private readonly Dictionary<string, nn.Module<Tensor, Tensor>> layerModules = new(StringComparer.Ordinal);

    protected ZooModel(ArchitectureSpec architecture, ulong seed)
        : base(architecture?.Kind ?? throw new ArgumentNullException(nameof(architecture)))
    {
        Architecture = architecture;
        Layers = Blueprints.Build(architecture);
        foreach (var layer in Layers)
        {
            nn.Module<Tensor, Tensor> module = layer.Kind switch
            {
                LayerKind.Conv => nn.Conv2d(layer.InUnits, layer.OutUnits, layer.Kernel, layer.Stride, layer.Padding, bias: layer.Bias),
                LayerKind.BatchNorm => nn.BatchNorm2d(layer.OutUnits),
                LayerKind.Linear => nn.Linear((long)layer.InUnits * layer.InRepeat, layer.OutUnits, hasBias: layer.Bias),
                _ => throw new InvalidOperationException($"Unsupported layer kind {layer.Kind}."),
            };
            layerModules.Add(layer.Name, module);
            register_module(layer.Name, module);
        }

        Bindings = BuildBindings(Layers);
        Initialize(seed);
        foreach (var p in parameters())
        {
            p.DetachFromDisposeScope();
        }

        foreach (var b in buffers())
        {
            b.DetachFromDisposeScope();
        }
    }

    public ArchitectureSpec Architecture { get; }

    public IReadOnlyList<LayerDesc> Layers { get; }

    /// <summary>For each parameter/buffer name, the dimensions indexed by prunable-group units.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TensorBinding>> Bindings { get; }

    public long Macs => Layers.Sum(l => l.Macs);

    public long ParameterCount => Layers.Sum(l => l.Parameters);

    protected nn.Module<Tensor, Tensor> Layer(string name) => layerModules[name];

    protected Tensor ConvBnRelu(Tensor x, string conv, string bn)
    {
        using var c = Layer(conv).call(x);
        using var b = Layer(bn).call(c);
        return F.relu(b);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in layerModules.Values)
            {
                m.Dispose();
            }

            layerModules.Clear();
        }

        base.Dispose(disposing);
    }

    private static Dictionary<string, IReadOnlyList<TensorBinding>> BuildBindings(IReadOnlyList<LayerDesc> layers)
    {
        var result = new Dictionary<string, IReadOnlyList<TensorBinding>>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            void Add(string tensor, int dim, string? group, int repeat, bool produces)
            {
                if (group is null)
                {
                    return;
                }

                var key = l.Name + "." + tensor;
                var list = result.TryGetValue(key, out var existing) ? existing.ToList() : [];
                list.Add(new TensorBinding(key, dim, group, repeat, produces));
                result[key] = list;
            }

            switch (l.Kind)
            {
                case LayerKind.Conv:
                case LayerKind.Linear:
                    Add("weight", 0, l.OutGroup, 1, true);
                    Add("weight", 1, l.InGroup, l.InRepeat, false);
                    if (l.Bias)
                    {
                        Add("bias", 0, l.OutGroup, 1, true);
                    }

                    break;
                case LayerKind.BatchNorm:
                    foreach (var t in new[] { "weight", "bias", "running_mean", "running_var" })
                    {
                        Add(t, 0, l.OutGroup, 1, true);
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>He-uniform weights (classifier: 1/sqrt(fan_in)), zero biases, BN gamma 1: drawn from a managed PRNG so init never depends on torch's global generator.</summary>
    private void Initialize(ulong seed)
    {
        var rng = new DeterministicRandom(seed, stream: 0x1A17);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        foreach (var layer in Layers)
        {
            if (layer.Kind == LayerKind.BatchNorm)
            {
                continue;
            }

            var module = layerModules[layer.Name];
            var fanIn = (double)layer.InUnits * layer.InRepeat * layer.Kernel * layer.Kernel;
            var bound = layer.OutGroup is null ? 1.0 / Math.Sqrt(fanIn) : Math.Sqrt(6.0 / fanIn);
            foreach (var (name, p) in module.named_parameters())
            {
                if (name == "weight")
                {
                    var values = new float[p.numel()];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = (float)(((2 * rng.NextDouble()) - 1) * bound);
                    }

                    using var t = torch.tensor(values, p.shape);
                    p.copy_(t);
                }
                else
                {
                    p.zero_();
                }
            }
        }
    }
}

internal sealed class MlpModel(ArchitectureSpec architecture, ulong seed) : ZooModel(architecture, seed)
{
    public override Tensor forward(Tensor input)
    {
        using var x = input.flatten(1);
        using var h1 = Layer("fc1").call(x);
        using var a1 = F.relu(h1);
        using var h2 = Layer("fc2").call(a1);
        using var a2 = F.relu(h2);
        return Layer("fc3").call(a2);
    }
}

internal sealed class LeNet5Model(ArchitectureSpec architecture, ulong seed) : ZooModel(architecture, seed)
{
    public override Tensor forward(Tensor input)
    {
        using var c1 = Layer("conv1").call(input);
        using var r1 = F.relu(c1);
        using var p1 = F.max_pool2d(r1, 2);
        using var c2 = Layer("conv2").call(p1);
        using var r2 = F.relu(c2);
        using var p2 = F.max_pool2d(r2, 2);
        using var flat = p2.flatten(1);
        using var f1 = Layer("fc1").call(flat);
        using var a1 = F.relu(f1);
        using var f2 = Layer("fc2").call(a1);
        using var a2 = F.relu(f2);
        return Layer("fc3").call(a2);
    }
}

internal sealed class VggModel(ArchitectureSpec architecture, ulong seed) : ZooModel(architecture, seed)
{
    public override Tensor forward(Tensor input)
    {
        using var x1 = ConvBnRelu(input, "conv1", "bn1");
        using var x2 = ConvBnRelu(x1, "conv2", "bn2");
        using var p2 = F.max_pool2d(x2, 2);
        using var x3 = ConvBnRelu(p2, "conv3", "bn3");
        using var x4 = ConvBnRelu(x3, "conv4", "bn4");
        using var p4 = F.max_pool2d(x4, 2);
        using var x5 = ConvBnRelu(p4, "conv5", "bn5");
        using var p5 = F.max_pool2d(x5, 2);
        using var flat = p5.flatten(1);
        using var f1 = Layer("fc1").call(flat);
        using var a1 = F.relu(f1);
        return Layer("fc2").call(a1);
    }
}

internal sealed class ResNetModel(ArchitectureSpec architecture, ulong seed) : ZooModel(architecture, seed)
{
    public override Tensor forward(Tensor input)
    {
        var x = ConvBnRelu(input, "stem", "stem_bn");
        for (var stage = 1; stage <= 3; stage++)
        {
            var next = Block(x, "b" + stage, projection: stage > 1);
            x.Dispose();
            x = next;
        }

        using (x)
        {
            using var pooled = F.adaptive_avg_pool2d(x, 1);
            using var flat = pooled.flatten(1);
            return Layer("fc").call(flat);
        }
    }

    private Tensor Block(Tensor x, string prefix, bool projection)
    {
        using var h = ConvBnRelu(x, prefix + "_conv1", prefix + "_bn1");
        using var c2 = Layer(prefix + "_conv2").call(h);
        using var b2 = Layer(prefix + "_bn2").call(c2);
        if (projection)
        {
            using var pc = Layer(prefix + "_proj").call(x);
            using var pb = Layer(prefix + "_projbn").call(pc);
            using var sum = b2.add(pb);
            return F.relu(sum);
        }

        using var identity = b2.add(x);
        return F.relu(identity);
    }
}
