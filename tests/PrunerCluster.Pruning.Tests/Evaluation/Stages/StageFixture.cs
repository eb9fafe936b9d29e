using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

/// <summary>Small seeded models, synthetic 16x16 data and a run around a checkpoint that is never loaded: enough to drive one stage.</summary>
internal static class StageFixture
{
    public static readonly EvaluationSettings Settings = new()
    {
        FineTuneSteps = 3,
        BatchSize = 16,
        RecalibrationBatches = 2,
        ValidationSamples = 32,
        LatencyBatchSize = 4,
        LatencyRuns = 2,
        LatencyWarmup = 0,
        LatencyMaxRuns = 2,
        EnergyWindow = TimeSpan.Zero,
        ExclusiveTiming = false,
        Threads = 1,
        Seed = 5,
    };

    private static readonly Lazy<DataSplit> SyntheticData = new(() => TestSupport.SyntheticSplit(train: 128, validation: 32, test: 32));

    public static DataSplit Data => SyntheticData.Value;

    public static ArchitectureSpec MlpArchitecture { get; } = ModelZoo.DefaultArchitecture(ModelZoo.Mlp, 1, 16, 4);

    public static ZooModel Mlp(long seed = 1) => ModelZoo.Create(MlpArchitecture, seed);

    public static ZooModel Vgg(long seed = 1) => ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, seed);

    public static PruneMask Full(ArchitectureSpec architecture) => PruneMask.Full(PruningStructure.Analyze(architecture));

    /// <summary>Keeps the first half of every group's units.</summary>
    public static PruneMask Half(ArchitectureSpec architecture) =>
        new(architecture.Widths.ToDictionary(w => w.Group, w => Enumerable.Range(0, w.Units).Select(i => i < w.Units / 2).ToArray(), StringComparer.Ordinal));

    public static EvaluationRun Run(EvaluationSettings? settings = null, PruneMask? mask = null, WarmStart? warm = null, string? exportDirectory = null, BaselineCheckpoint? checkpoint = null) =>
        new(checkpoint ?? Checkpoint(), mask ?? Full(MlpArchitecture), settings ?? Settings, torch.CPU, exportDirectory) { Warm = warm };

    public static BaselineCheckpoint Checkpoint(string path = "/nonexistent/mlp.bin", string? hash = null) =>
        new(path, ModelZoo.Mlp, "synthetic", hash ?? new string('a', 64), 0, 0, 1) { Architecture = MlpArchitecture };
}
