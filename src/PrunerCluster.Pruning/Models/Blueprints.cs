namespace PrunerCluster.Pruning.Models;

/// <summary>The layer lists of the zoo models, computed from an architecture (spatial sizes follow from the image size).</summary>
internal static class Blueprints
{
    public static IReadOnlyList<GroupWidth> DefaultWidths(string kind) => kind switch
    {
        ModelZoo.Mlp => [new("fc1", 256), new("fc2", 128)],
        ModelZoo.LeNet5 => [new("conv1", 6), new("conv2", 16), new("fc1", 120), new("fc2", 84)],
        ModelZoo.Vgg => [new("conv1", 32), new("conv2", 32), new("conv3", 64), new("conv4", 64), new("conv5", 128), new("fc1", 256)],
        ModelZoo.ResNet => [new("stage1", 16), new("block1", 16), new("stage2", 32), new("block2", 32), new("stage3", 64), new("block3", 64)],
        _ => throw UnknownKind(kind),
    };

    public static IReadOnlyList<LayerDesc> Build(ArchitectureSpec a)
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

        return a.Kind switch
        {
            ModelZoo.Mlp => Mlp(a),
            ModelZoo.LeNet5 => LeNet5(a),
            ModelZoo.Vgg => Vgg(a),
            ModelZoo.ResNet => ResNet(a),
            _ => throw UnknownKind(a.Kind),
        };
    }

    internal static int ConvOut(int size, int kernel, int stride, int padding) => ((size + (2 * padding) - kernel) / stride) + 1;

    private static ArgumentException UnknownKind(string kind) => new($"Unknown model '{kind}'; known: {string.Join(", ", ModelZoo.Names)}.", nameof(kind));

    private static LayerDesc[] Mlp(ArchitectureSpec a)
    {
        var inFeatures = a.InChannels * a.ImageSize * a.ImageSize;
        return
        [
            new("fc1", LayerKind.Linear, null, "fc1", inFeatures, a.Width("fc1")),
            new("fc2", LayerKind.Linear, "fc1", "fc2", a.Width("fc1"), a.Width("fc2")),
            new("fc3", LayerKind.Linear, "fc2", null, a.Width("fc2"), a.Classes),
        ];
    }

    private static LayerDesc[] LeNet5(ArchitectureSpec a)
    {
        var s1 = ConvOut(a.ImageSize, 5, 1, 2);
        var p1 = s1 / 2;
        var s2 = ConvOut(p1, 5, 1, 0);
        var p2 = s2 / 2;
        if (p2 < 1)
        {
            throw new ArgumentException($"lenet5 needs images of at least 12x12, got {a.ImageSize}.", nameof(a));
        }

        return
        [
            new("conv1", LayerKind.Conv, null, "conv1", a.InChannels, a.Width("conv1"), 5, 1, 2, a.ImageSize, s1),
            new("conv2", LayerKind.Conv, "conv1", "conv2", a.Width("conv1"), a.Width("conv2"), 5, 1, 0, p1, s2),
            new("fc1", LayerKind.Linear, "conv2", "fc1", a.Width("conv2"), a.Width("fc1"), InRepeat: p2 * p2),
            new("fc2", LayerKind.Linear, "fc1", "fc2", a.Width("fc1"), a.Width("fc2")),
            new("fc3", LayerKind.Linear, "fc2", null, a.Width("fc2"), a.Classes),
        ];
    }

    private static LayerDesc[] Vgg(ArchitectureSpec a)
    {
        var layers = new List<LayerDesc>();
        var size = a.ImageSize;
        string? previous = null;
        var inUnits = a.InChannels;
        foreach (var (group, poolAfter) in new[] { ("conv1", false), ("conv2", true), ("conv3", false), ("conv4", true), ("conv5", true) })
        {
            var units = a.Width(group);
            layers.Add(new(group, LayerKind.Conv, previous, group, inUnits, units, 3, 1, 1, size, size, Bias: false));
            layers.Add(new("bn" + group[4..], LayerKind.BatchNorm, group, group, units, units, InSize: size, OutSize: size));
            previous = group;
            inUnits = units;
            if (poolAfter)
            {
                size /= 2;
            }
        }

        if (size < 1)
        {
            throw new ArgumentException($"vgg needs images of at least 8x8, got {a.ImageSize}.", nameof(a));
        }

        layers.Add(new("fc1", LayerKind.Linear, "conv5", "fc1", inUnits, a.Width("fc1"), InRepeat: size * size));
        layers.Add(new("fc2", LayerKind.Linear, "fc1", null, a.Width("fc1"), a.Classes));
        return [.. layers];
    }

    private static LayerDesc[] ResNet(ArchitectureSpec a)
    {
        var layers = new List<LayerDesc>();
        var size = a.ImageSize;
        var s1 = a.Width("stage1");
        layers.Add(new("stem", LayerKind.Conv, null, "stage1", a.InChannels, s1, 3, 1, 1, size, size, Bias: false));
        layers.Add(new("stem_bn", LayerKind.BatchNorm, "stage1", "stage1", s1, s1, InSize: size, OutSize: size));
        string inGroup = "stage1";
        for (var stage = 1; stage <= 3; stage++)
        {
            var outGroup = "stage" + stage;
            var inner = "block" + stage;
            var stride = stage == 1 ? 1 : 2;
            var outSize = ConvOut(size, 3, stride, 1);
            var prefix = "b" + stage;
            var cin = a.Width(inGroup);
            var cinner = a.Width(inner);
            var cout = a.Width(outGroup);
            layers.Add(new(prefix + "_conv1", LayerKind.Conv, inGroup, inner, cin, cinner, 3, stride, 1, size, outSize, Bias: false));
            layers.Add(new(prefix + "_bn1", LayerKind.BatchNorm, inner, inner, cinner, cinner, InSize: outSize, OutSize: outSize));
            layers.Add(new(prefix + "_conv2", LayerKind.Conv, inner, outGroup, cinner, cout, 3, 1, 1, outSize, outSize, Bias: false));
            layers.Add(new(prefix + "_bn2", LayerKind.BatchNorm, outGroup, outGroup, cout, cout, InSize: outSize, OutSize: outSize));
            if (stage > 1)
            {
                layers.Add(new(prefix + "_proj", LayerKind.Conv, inGroup, outGroup, cin, cout, 1, stride, 0, size, outSize, Bias: false));
                layers.Add(new(prefix + "_projbn", LayerKind.BatchNorm, outGroup, outGroup, cout, cout, InSize: outSize, OutSize: outSize));
            }

            size = outSize;
            inGroup = outGroup;
        }

        layers.Add(new("fc", LayerKind.Linear, "stage3", null, a.Width("stage3"), a.Classes));
        return [.. layers];
    }
}
