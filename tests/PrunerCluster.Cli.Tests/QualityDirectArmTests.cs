using PrunerCluster.Cli.Quality;
using PrunerCluster.Engine.Quality;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The quality benchmark's direct arms (random masks, uniform per-layer pruning, the global-threshold and LAMP rules, generation 0) on a real, tiny baseline: every
/// evaluation succeeds and its objectives are sane. A quick run once reported most of these evaluations as failed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class QualityDirectArmTests(QualityDirectArmTests.BaselineCache baseline) : IClassFixture<QualityDirectArmTests.BaselineCache>
{
    /// <summary>One checkpoint cache for the class: the first arm trains the tiny baseline, the others load it (same spec, same key).</summary>
    public sealed class BaselineCache : IDisposable
    {
        private readonly TempDirectory _root = new();

        public string Path => _root.Path;

        public void Dispose() => _root.Dispose();
    }

    [Theory]
    [InlineData(QualityRunner.Random)]
    [InlineData(QualityRunner.Uniform)]
    [InlineData(QualityRunner.Generation0)]
    [InlineData(QualityRunner.Slimming)]
    [InlineData(QualityRunner.Lamp)]
    public void Direct_arm_evaluations_succeed_with_sane_objectives(string method)
    {
        Assert.True(File.Exists(Path.Combine(DatasetCatalog.FashionMnistDefaultRoot, "train-labels-idx1-ubyte")) || File.Exists(Path.Combine(DatasetCatalog.FashionMnistDefaultRoot, "train-labels-idx1-ubyte.gz")), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        using var temp = new TempDirectory();
        var options = QualityOptions.Quick with
        {
            Model = "lenet5",
            Budget = 6,
            BaselineTrainSamples = 1024,
            FineTuneSteps = 4,
            ValidationSamples = 200,
            LatencyRuns = 3,
            LatencyMaxSeconds = 0.5,
            Threads = 1,
            CacheDirectory = baseline.Path,
            OutDirectory = Path.Combine(temp.Path, "out"),
        };
        var runner = new QualityRunner(options, TextWriter.Null);

        var (spec, points) = runner.EvaluateDirect(method, 1, CancellationToken.None);

        if (method is QualityRunner.Slimming or QualityRunner.Lamp)
        {
            // Neighbouring global ratios can round to the same levels; a rule arm evaluates each distinct mask once.
            Assert.InRange(points.Count, 2, options.Budget);
        }
        else
        {
            Assert.Equal(options.Budget, points.Count);
        }

        Assert.All(points, p => Assert.True(p.Succeeded, $"{method} mask {p.MaskHash[..12]} failed: {p.FailureReason}"));
        var unprunedMacs = points.Max(p => p.Macs);
        Assert.All(points, p =>
        {
            Assert.InRange(p.Accuracy, 0.0, 1.0);
            Assert.True(p.Macs > 0 && p.Macs <= unprunedMacs, $"MACs {p.Macs}");
            Assert.True(double.IsFinite(p.LatencyMs) && p.LatencyMs > 0, $"latency {p.LatencyMs} ms");
        });

        // The arm spreads its masks over densities: they are distinct and their MACs are not all the same.
        Assert.Equal(points.Count, points.Select(p => p.MaskHash).Distinct(StringComparer.Ordinal).Count());
        Assert.True(points.Select(p => p.Macs).Distinct().Count() > 1, "every mask has the same MACs");
        Assert.Equal(spec.Model, options.Model);

        // Better than chance (10 classes) after a few fine-tune steps for the densest mask.
        Assert.True(points.MaxBy(p => p.Macs)!.Accuracy > 0.2, $"densest mask accuracy {points.MaxBy(p => p.Macs)!.Accuracy:P1}");
    }
}
