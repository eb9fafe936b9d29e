using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Models;

/// <summary>The built-in architectures written as <see cref="ModelGraph"/>s; their prunable groups are derived from the graph like any imported model's.</summary>
internal static class ZooGraphs
{
    public static IReadOnlyList<GroupWidth> DefaultWidths(string kind) => kind switch
    {
        ModelZoo.Mlp => [new("fc1", 256), new("fc2", 128)],
        ModelZoo.LeNet5 => [new("conv1", 6), new("conv2", 16), new("fc1", 120), new("fc2", 84)],
        ModelZoo.Vgg => [new("conv1", 32), new("conv2", 32), new("conv3", 64), new("conv4", 64), new("conv5", 128), new("fc1", 256)],
        ModelZoo.ResNet => [new("stage1", 16), new("block1", 16), new("stage2", 32), new("block2", 32), new("stage3", 64), new("block3", 64)],
        _ => throw UnknownKind(kind),
    };

    public static ModelGraph Build(ArchitectureSpec a)
    {
        ArgumentNullException.ThrowIfNull(a);
        foreach (var w in a.Widths)
        {
            if (w.Units < 1)
            {
                throw new ArgumentException($"Group '{w.Group}' of '{a.Kind}' has {w.Units} units; every group needs at least 1.", nameof(a));
            }
        }

        var expected = DefaultWidths(a.Kind).Select(w => w.Group).ToArray();
        if (!expected.SequenceEqual(a.Widths.Select(w => w.Group)))
        {
            throw new ArgumentException($"Architecture '{a.Kind}' must list groups [{string.Join(", ", expected)}] in that order, got [{string.Join(", ", a.Widths.Select(w => w.Group))}].", nameof(a));
        }

        var minimum = a.Kind switch { ModelZoo.LeNet5 => 12, ModelZoo.Vgg => 8, ModelZoo.ResNet => 4, _ => 1 };
        if (a.ImageSize < minimum)
        {
            throw new ArgumentException($"{a.Kind} needs images of at least {minimum}x{minimum}, got {a.ImageSize}.", nameof(a));
        }

        var b = new Builder(a);
        switch (a.Kind)
        {
            case ModelZoo.Mlp:
                b.Linear("fc3", b.Relu(b.Linear("fc2", b.Relu(b.Linear("fc1", b.Flatten("input"))))), a.Classes);
                break;
            case ModelZoo.LeNet5:
            {
                var x = b.Pool(b.Relu(b.Conv("conv1", "input", 5, 1, 2)));
                x = b.Pool(b.Relu(b.Conv("conv2", x, 5, 1, 0)));
                b.Linear("fc3", b.Relu(b.Linear("fc2", b.Relu(b.Linear("fc1", b.Flatten(x))))), a.Classes);
                break;
            }

            case ModelZoo.Vgg:
            {
                var x = "input";
                foreach (var (i, pool) in new[] { (1, false), (2, true), (3, false), (4, true), (5, true) })
                {
                    x = b.Relu(b.Node(new GraphNode("bn" + i, GraphOp.BatchNorm, [b.Conv("conv" + i, x, 3, 1, 1, bias: false)], "bn" + i)));
                    x = pool ? b.Pool(x) : x;
                }

                b.Linear("fc2", b.Relu(b.Linear("fc1", b.Flatten(x))), a.Classes);
                break;
            }

            case ModelZoo.ResNet:
            {
                var x = b.Relu(b.Bn("stem_bn", b.Conv("stem", "input", 3, 1, 1, bias: false, hint: "stage1")));
                for (var s = 1; s <= 3; s++)
                {
                    var p = "b" + s;
                    var stride = s == 1 ? 1 : 2;
                    var h = b.Relu(b.Bn(p + "_bn1", b.Conv(p + "_conv1", x, 3, stride, 1, bias: false, hint: "block" + s)));
                    var main = b.Bn(p + "_bn2", b.Conv(p + "_conv2", h, 3, 1, 1, bias: false, hint: "stage" + s));
                    var shortcut = s > 1 ? b.Bn(p + "_projbn", b.Conv(p + "_proj", x, 1, stride, 0, bias: false, hint: "stage" + s)) : x;
                    x = b.Relu(b.Node(new GraphNode(p + "_add", GraphOp.Add, [main, shortcut], p + "_add")));
                }

                b.Linear("fc", b.Flatten(b.Node(new GraphNode("gap", GraphOp.GlobalAvgPool, [x], "gap"))), a.Classes);
                break;
            }

            default:
                throw UnknownKind(a.Kind);
        }

        return b.Graph();
    }

    private static ArgumentException UnknownKind(string kind) => new($"Unknown model '{kind}'; known: {string.Join(", ", ModelZoo.Names)}.", nameof(kind));

    private sealed class Builder(ArchitectureSpec a)
    {
        private readonly List<GraphNode> nodes = [];
        private int counter;

        public string Node(GraphNode n)
        {
            nodes.Add(n);
            return n.Output;
        }

        public string Conv(string name, string x, int k, int stride, int padding, bool bias = true, string? hint = null) =>
            Node(new GraphNode(name, GraphOp.Conv, [x], name) { OutChannels = a.Width(hint ?? name), Kernel = k, Stride = stride, Padding = padding, Bias = bias, GroupHint = hint ?? name });

        public string Linear(string name, string x, int? outputs = null) =>
            Node(new GraphNode(name, GraphOp.Linear, [x], name) { OutChannels = outputs ?? a.Width(name), GroupHint = outputs is null ? name : null });

        public string Bn(string name, string x) => Node(new GraphNode(name, GraphOp.BatchNorm, [x], name));

        public string Relu(string x) => Anonymous(GraphOp.Relu, x);

        public string Flatten(string x) => Anonymous(GraphOp.Flatten, x);

        public string Pool(string x)
        {
            var name = Next("maxpool");
            return Node(new GraphNode(name, GraphOp.MaxPool, [x], name) { Kernel = 2, Stride = 2 });
        }

        public ModelGraph Graph() => new(a.Kind, "input", a.InChannels, a.ImageSize, nodes, nodes[^1].Output);

        private string Anonymous(GraphOp op, string x)
        {
            var name = Next(op.ToString().ToLowerInvariant());
            return Node(new GraphNode(name, op, [x], name));
        }

        private string Next(string prefix) => prefix + "_" + counter++.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
