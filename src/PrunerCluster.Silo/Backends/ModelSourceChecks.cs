using System.Globalization;
using System.Text.Json;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Silo.Backends;

/// <summary>Checks, before work starts, that the model can be built and that its input (channels, size) and classes match the data.</summary>
internal static class ModelSourceChecks
{
    public static void Check(ExperimentSpec spec, DatasetInfo? data, List<SpecError> errors)
    {
        if (data is null)
        {
            return;
        }

        if (spec.Baseline.CheckpointPath is { } path)
        {
            CheckCheckpoint(path, data, errors);
            return;
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
                errors.Add(new("model", string.Create(CultureInfo.InvariantCulture, $"'{kind}' cannot take the data set's {data.Channels}x{data.ImageSize}x{data.ImageSize} images: {ex.Message}")));
            }
        }
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
}
