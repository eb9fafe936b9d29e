using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.TestModels;

namespace PrunerCluster.Engine.Tests;

/// <summary>A silo refuses an ONNX file over its size or node limit at submission, naming the field, the figure and the setting.</summary>
[Trait("Category", "Unit")]
public sealed class OnnxLimitsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prunercluster-onnx-limits-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void An_onnx_file_over_the_byte_or_node_limit_is_refused_and_one_within_both_is_accepted()
    {
        var spec = Spec();
        var size = new FileInfo(spec.ModelSource!.Onnx!).Length;
        Assert.Empty(Backend(new TorchSharpBackendOptions()).Validate(spec));

        var tooLarge = Assert.Single(Backend(new TorchSharpBackendOptions { MaxOnnxBytes = size - 1 }).Validate(spec));
        Assert.Equal("model.onnx", tooLarge.Field);
        Assert.Contains("MaxOnnxBytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains("was not read", tooLarge.Message, StringComparison.Ordinal);

        var tooMany = Assert.Single(Backend(new TorchSharpBackendOptions { MaxOnnxNodes = 2 }).Validate(spec));
        Assert.Equal("model.onnx", tooMany.Field);
        Assert.Contains("MaxOnnxNodes", tooMany.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_below_one_are_refused_at_startup()
    {
        var result = new TorchSharpBackendOptionsValidator().Validate(null, new TorchSharpBackendOptions { MaxOnnxNodes = 0 });
        Assert.True(result.Failed);
        Assert.Contains("MaxOnnxNodes", result.FailureMessage, StringComparison.Ordinal);
    }

    private TorchSharpEvaluationBackend Backend(TorchSharpBackendOptions options)
    {
        options.Threads = 1;
        options.CheckpointCacheDirectory = Path.Combine(_root, "cache");
        return new(Options.Create(options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
    }

    private ExperimentSpec Spec()
    {
        Directory.CreateDirectory(_root);
        var modelPath = Path.Combine(_root, "branchy.onnx");
        File.WriteAllBytes(modelPath, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        var data = Path.Combine(_root, "cifar");
        Directory.CreateDirectory(data);
        const int record = 1 + (3 * 16 * 16);
        byte[] Records(int count) => [.. Enumerable.Range(0, count * record).Select(i => (byte)(i % record == 0 ? (i / record) % 4 : i % 251))];
        File.WriteAllBytes(Path.Combine(data, "data_batch_1.bin"), Records(48));
        File.WriteAllBytes(Path.Combine(data, "test_batch.bin"), Records(16));
        return new ExperimentSpec
        {
            Name = "onnx-limits",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "onnx",
            ModelSource = new ModelSourceSpec { Onnx = modelPath },
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = data, ImageSize = 16, Validation = 16 },
            Budget = new() { MaxEvaluations = 4 },
        };
    }
}
