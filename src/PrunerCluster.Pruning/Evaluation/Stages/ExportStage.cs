using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>Saves the pruned, fine-tuned model and its model card (metrics, notes, provenance) to the run's export directory, when it has one.</summary>
internal static class ExportStage
{
    public static void Run(EvaluationRun c, ZooModel pruned, DataSplit data)
    {
        if (c.ExportDirectory is not { } dir)
        {
            return;
        }

        c.Time("export", () =>
        {
            using var scope = torch.NewDisposeScope();
            ModelExporter.Export(pruned, Card(c, pruned, data), dir);
        });
    }

    private static ModelCard Card(EvaluationRun c, ZooModel pruned, DataSplit data)
    {
        var s = c.Settings;
        return new ModelCard
        {
            Model = pruned.Architecture.Kind,
            Dataset = c.Checkpoint.Dataset,
            DataRoot = c.Checkpoint.DataRoot,
            DatasetSource = c.Checkpoint.Source,
            Normalization = InputNormalization.Applied(c.Settings.Normalization, data.Train),
            Architecture = pruned.Architecture,
            SourceArchitecture = c.Checkpoint.ResolveArchitecture(data),
            KeptIndices = c.Kept,
            SparsityFractions = c.SparsityFractions,
            Mode = s.Mode.ToString(),
            Metrics = new Dictionary<string, double>(c.Metrics),
            MetricSources = c.Sources(),
            EnergySource = c.EnergySource,
            Device = c.Device.ToString(),
            Seed = s.Seed,
            SourceSeed = c.Checkpoint.Seed,
            SourceCheckpointHash = c.Checkpoint.ContentHash,
            SourceCheckpointPath = c.Checkpoint.Path,
            SettingsHash = s.ContentHash,
            SettingsJson = s.ToJson(),
            MaskHash = c.Mask.ContentHash,
            Notes = [.. c.Notes],
        };
    }
}
