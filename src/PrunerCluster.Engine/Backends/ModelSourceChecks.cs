using System.Globalization;
using System.Text.Json;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Engine.Backends;

/// <summary>Checks, before work starts, that the model can be built and that its input (channels, size) and classes match the data.</summary>
internal static class ModelSourceChecks
{
    public static void Check(ExperimentSpec spec, DatasetInfo? data, List<SpecError> errors, TorchSharpBackendOptions limits)
    {
        if (data is null)
        {
            return;
        }

        if (spec.ModelSource?.Onnx is { } onnx)
        {
            CheckOnnx(onnx, spec.ModelSource.Exclude, data, errors, limits);
            return;
        }

        if (spec.ModelSource?.Weights is not null && spec.Baseline.CheckpointPath is not null)
        {
            errors.Add(new("baseline.checkpointPath", "give either model.weights (PyTorch weights) or baseline.checkpointPath (a TorchSharp checkpoint), not both"));
            return;
        }

        if (spec.Baseline.CheckpointPath is { } path)
        {
            CheckCheckpoint(path, data, errors);
            return;
        }

        if (spec.ModelSource is { Zoo: { } zoo } && !ModelZoo.IsZoo(zoo))
        {
            errors.Add(new("model.zoo", $"unknown architecture '{zoo}'; expected one of {string.Join(", ", ModelZoo.Names)}"));
            return;
        }

        if (spec.ModelSource?.Weights is { } weights)
        {
            CheckWeights(spec.ModelSource.Zoo ?? spec.Model, weights, data, errors);
        }

        if (spec.ModelSource?.Exclude is { Count: > 0 } excluded && ModelZoo.IsZoo(spec.ModelSource.Zoo ?? spec.Model))
        {
            var layers = ModelZoo.Graph(ModelZoo.DefaultArchitecture(spec.ModelSource.Zoo ?? spec.Model, data.Channels, Math.Max(data.ImageSize, 16), data.Classes)).Nodes.Where(n => n.HasParameters).Select(n => n.Name).ToArray();
            if (excluded.Where(e => !layers.Contains(e)).ToArray() is { Length: > 0 } unknown)
            {
                errors.Add(new("model.exclude", $"unknown layer(s) {string.Join(", ", unknown)}; layers: {string.Join(", ", layers)}"));
            }
        }

        var kind = spec.ModelSource?.Zoo ?? spec.Model;
        if (spec.ModelSource?.Onnx is null && ModelZoo.Names.Contains(kind, StringComparer.Ordinal))
        {
            try
            {
                _ = PruningStructure.Analyze(ModelZoo.DefaultArchitecture(kind, data.Channels, data.ImageSize, data.Classes));
            }
            catch (ArgumentException ex)
            {
                errors.Add(new("model", string.Create(CultureInfo.InvariantCulture, $"'{kind}' cannot take the data set's {data.Channels}x{data.ImageSize}x{data.ImageSize} images: {WithoutParameter(ex)}")));
            }
        }
    }

    /// <summary>The groups minus those produced by excluded layers (node names or the names in the ONNX file).</summary>
    public static IReadOnlyList<PrunableGroup> WithoutExcluded(IReadOnlyList<PrunableGroup> groups, ZooModel model, IReadOnlyList<string> exclude)
    {
        var names = exclude.Select(e => model.Graph.Nodes.FirstOrDefault(n => n.Name == e || n.SourceName == e)?.Name ?? e).ToArray();
        return PruningStructure.Exclude(groups, names, model.Graph.Nodes.Where(n => n.HasParameters).Select(n => n.Name));
    }

    /// <summary>Null when the model's input and classes fit the data, else a message naming both.</summary>
    public static string? Mismatch(string model, int channels, int imageSize, int classes, DatasetInfo data)
    {
        var problems = new List<string>();
        if (channels != data.Channels)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the model takes {channels} input channel(s), the data has {data.Channels}"));
        }

        if (imageSize != data.ImageSize)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the model takes {imageSize}x{imageSize} images, the data's are {data.ImageSize}x{data.ImageSize}"));
        }

        if (classes != data.Classes)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the model outputs {classes} classes, the data has {data.Classes}"));
        }

        return problems.Count == 0 ? null : $"model '{model}' does not match data set '{data.Name}': {string.Join("; ", problems)}";
    }

    private static void CheckOnnx(string path, IReadOnlyList<string> exclude, DatasetInfo data, List<SpecError> errors, TorchSharpBackendOptions limits)
    {
        if (File.Exists(path) && new FileInfo(path).Length is var bytes && bytes > limits.MaxOnnxBytes)
        {
            errors.Add(new("model.onnx", string.Create(CultureInfo.InvariantCulture, $"'{path}' is {bytes:N0} bytes, over this silo's limit of {limits.MaxOnnxBytes:N0} (PrunerCluster:TorchSharp:MaxOnnxBytes); it was not read")));
            return;
        }

        try
        {
            var (graph, _) = OnnxImporter.Read(path);
            if (graph.Nodes.Count > limits.MaxOnnxNodes)
            {
                errors.Add(new("model.onnx", string.Create(CultureInfo.InvariantCulture, $"'{path}' has {graph.Nodes.Count:N0} nodes after import, over this silo's limit of {limits.MaxOnnxNodes:N0} (PrunerCluster:TorchSharp:MaxOnnxNodes)")));
                return;
            }

            var analysis = GraphAnalysis.Of(graph);
            if (Mismatch(Path.GetFileName(path), graph.InChannels, graph.ImageSize, analysis.Classes, data) is { } problem)
            {
                errors.Add(new("model", problem));
            }

            var unknown = exclude.Where(e => !graph.Nodes.Any(n => n.HasParameters && (n.Name == e || n.SourceName == e))).ToArray();
            if (unknown.Length > 0)
            {
                errors.Add(new("model.exclude", $"unknown layer(s) {string.Join(", ", unknown)}; layers of '{path}': {string.Join(", ", graph.Nodes.Where(n => n.HasParameters).Select(n => n.SourceName ?? n.Name))}"));
            }
        }
        catch (GraphException ex)
        {
            errors.Add(new("model.onnx", ex.Message));
        }
    }

    private static void CheckWeights(string kind, string path, DatasetInfo data, List<SpecError> errors)
    {
        if (!ModelZoo.IsZoo(kind))
        {
            return;
        }

        ZooModel model;
        try
        {
            model = ModelZoo.Create(ModelZoo.DefaultArchitecture(kind, data.Channels, data.ImageSize, data.Classes));
        }
        catch (ArgumentException)
        {
            return;
        }

        using (model)
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                PyTorchStateDict.Check(model, path);
            }
            catch (StateDictException ex)
            {
                errors.Add(new("model.weights", ex.Message));
            }
        }
    }

    private static void CheckCheckpoint(string path, DatasetInfo data, List<SpecError> errors)
    {
        var metadata = path.EndsWith(".json", StringComparison.Ordinal) ? path : path + ".json";
        if (!File.Exists(metadata))
        {
            return;
        }

        try
        {
            var checkpoint = BaselineCheckpoint.FromJson(File.ReadAllText(metadata));
            if (checkpoint.Architecture is { } a && Mismatch(a.Kind, a.InChannels, a.ImageSize, a.Classes, data) is { } problem)
            {
                errors.Add(new("baseline.checkpointPath", problem));
            }
        }
        catch (JsonException ex)
        {
            errors.Add(new("baseline.checkpointPath", $"'{metadata}' is not checkpoint metadata: {ex.Message}"));
        }
    }

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" suffix .NET appends: the user named no parameter.</summary>
    private static string WithoutParameter(ArgumentException ex) =>
        ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
}
