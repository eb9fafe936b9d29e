using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// The main job's VGG baseline (trained once, then cached), its data split and the search's latency policy, as the model-timing suites use them,
/// with the suite's own data set cache and device gates (<see cref="Host"/>).
/// </summary>
internal sealed record SuiteBaseline(BaselineCheckpoint Checkpoint, DataSplit Data, LatencyPolicy Policy)
{
    public PruningHostServices Host { get; init; } = new();

    /// <summary>Trains or loads the baseline from <c>--cache DIR</c> (default ~/.cache/prunercluster/checkpoints) with <paramref name="threads"/> torch threads.</summary>
    public static SuiteBaseline Load(string[] args, int threads)
    {
        var host = new PruningHostServices();
        var checkpoint = BaselineTrainer.TrainOrLoad(new BaselineTrainingSettings { Threads = threads }, PruningSuite.CheckpointCache(args), Console.WriteLine, host.Datasets, host.Gates);
        var data = host.Datasets.GetOrLoad(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.ValidationSize, checkpoint.SplitSeed);
        return new SuiteBaseline(checkpoint, data, new EvaluationSettings().LatencyPolicy) { Host = host };
    }

    /// <summary>A fresh copy of the unpruned model in eval mode; the caller disposes it.</summary>
    public ZooModel LoadModel()
    {
        var model = ModelZoo.Load(Checkpoint.ResolveArchitecture(Data), Checkpoint.Path);
        model.eval();
        return model;
    }
}
