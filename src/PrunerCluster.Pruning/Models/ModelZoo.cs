using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Models;

public static class ModelZoo
{
    public const string Mlp = "mlp";
    public const string LeNet5 = "lenet5";
    public const string Vgg = "vgg";
    public const string ResNet = "resnet";

    public static IReadOnlyList<string> Names { get; } = [Mlp, LeNet5, Vgg, ResNet];

    public static bool IsZoo(string kind) => Names.Contains(kind, StringComparer.Ordinal);

    public static ArchitectureSpec DefaultArchitecture(string name, int inChannels, int imageSize, int classes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var kind = name.Trim().ToLowerInvariant();
        return new ArchitectureSpec(kind, inChannels, imageSize, classes, ZooGraphs.DefaultWidths(kind));
    }

    /// <summary>The graph of a built-in architecture at the architecture's widths.</summary>
    public static ModelGraph Graph(ArchitectureSpec architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!IsZoo(architecture.Kind))
        {
            throw new ArgumentException($"Unknown model '{architecture.Kind}'; known: {string.Join(", ", Names)}.", nameof(architecture));
        }

        try
        {
            return ZooGraphs.Build(architecture);
        }
        catch (GraphException e)
        {
            throw new ArgumentException($"{architecture.Kind} cannot take {architecture.InChannels}x{architecture.ImageSize}x{architecture.ImageSize} inputs: {e.Message}", nameof(architecture), e);
        }
    }

    /// <summary>A freshly initialized model (deterministic for a seed). Negative seeds are reinterpreted bitwise.</summary>
    public static ZooModel Create(string name, int inChannels, int imageSize, int classes, long seed) =>
        Create(DefaultArchitecture(name, inChannels, imageSize, classes), seed);

    public static ZooModel Create(ArchitectureSpec architecture, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return new ZooModel(Graph(architecture), architecture, unchecked((ulong)seed));
    }

    /// <summary>Rebuilds the architecture and loads weights saved with <c>module.save</c> (TorchSharp format).</summary>
    public static ZooModel Load(ArchitectureSpec architecture, string path)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model weights not found: '{path}' (TorchSharp state-dict format written by module.save).", path);
        }

        if (architecture.Kind == Onnx.OnnxImporter.Kind)
        {
            var imported = Onnx.OnnxImporter.Load(path);
            if (!imported.Architecture.SameAs(architecture))
            {
                imported.Dispose();
                throw new ArgumentException($"ONNX model '{path}' has architecture {imported.Architecture.ToCanonicalString()}, not the recorded {architecture.ToCanonicalString()}.", nameof(architecture));
            }

            return imported;
        }

        var model = Create(architecture);
        try
        {
            model.load(path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
