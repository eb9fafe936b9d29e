using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.TestModels;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// A small imported ONNX model (the branchy test graph, 4 classes, 16x16 RGB) over a CIFAR-format data set written to a
/// temp folder, with the spec and backend the export tests share. Deleted on dispose.
/// </summary>
internal sealed class ImportedCifarCase : IDisposable
{
    public ImportedCifarCase(string name, int dataSeed)
    {
        Root = Path.Combine(Path.GetTempPath(), $"prunercluster-{name}-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        ModelPath = Path.Combine(Root, "branchy.onnx");
        File.WriteAllBytes(ModelPath, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        Data = Path.Combine(Root, "cifar");
        Directory.CreateDirectory(Data);
        var rng = new Random(dataSeed);
        File.WriteAllBytes(Path.Combine(Data, "data_batch_1.bin"), Records(rng, 96, 0));
        File.WriteAllBytes(Path.Combine(Data, "test_batch.bin"), Records(rng, 40, 1));
        Spec = new ExperimentSpec
        {
            Name = name,
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "onnx",
            ModelSource = new ModelSourceSpec { Onnx = ModelPath },
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = Data, ImageSize = 16, Validation = 32 },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 1, BatchSize = 16, ValidationSamples = 32, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 0, EnergyWindow = 0, Threads = 1 },
        };
        Backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = Path.Combine(Root, "cache") }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
    }

    public string Root { get; }

    public string ModelPath { get; }

    /// <summary>The CIFAR-format data folder (label byte, then 3 x 16 x 16 pixels per record; pixels follow the label).</summary>
    public string Data { get; }

    public ExperimentSpec Spec { get; }

    public TorchSharpEvaluationBackend Backend { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static byte[] Records(Random rng, int count, int offset)
    {
        const int record = 1 + (3 * 16 * 16);
        var bytes = new byte[count * record];
        for (var n = 0; n < count; n++)
        {
            var label = (n + offset) % 4;
            bytes[n * record] = (byte)label;
            for (var p = 1; p < record; p++)
            {
                bytes[(n * record) + p] = (byte)((label * 50) + rng.Next(60));
            }
        }

        return bytes;
    }
}
