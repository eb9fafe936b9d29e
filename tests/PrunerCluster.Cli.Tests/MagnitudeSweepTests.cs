using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Cli.Sweeps;
using PrunerCluster.Engine.Sweeps;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>A LeNet-5 baseline on a slice of Fashion-MNIST, trained once for the sweep tests (real TorchSharp, about a minute).</summary>
[Trait("Category", "Slow")]
public sealed class TinyModelFixture : IDisposable
{
    private readonly TempDirectory _root = new();

    public string Cache => Path.Combine(_root.Path, "cache");

    public ExperimentSpec Spec => new()
    {
        Name = "sweep-lenet5",
        Backend = TorchSharpEvaluationBackend.BackendName,
        Model = "lenet5",
        Dataset = "fashion-mnist",
        Baseline = new BaselineSettings { Epochs = 1, Seed = 1, MaxTrainSamples = 2048, MaxTestSamples = 256, CacheDirectory = Cache },
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 4, Seed = 3 },
        Budget = new BudgetSettings { MaxEvaluations = 4 },
        Evaluation = new EvaluationSettingsSpec
        {
            FineTuneSteps = 3,
            BatchSize = 32,
            ValidationSamples = 256,
            LatencyBatchSize = 8,
            LatencyRuns = 2,
            LatencyWarmup = 0,
            LatencyMaxRuns = 2,
            EnergyWindow = 0,
            Threads = 2,

            // No distillation: its teacher logits cover the whole Fashion-MNIST training split before each verb's first
            // evaluation; the sweeps are about which masks are evaluated and what is written, not how fine-tuning learns (#28).
            DistillationWeight = 0,
        },
    };

    public string SpecFile(string directory)
    {
        var path = Path.Combine(directory, "spec.json");
        File.WriteAllText(path, Client.Specs.SpecFile.Serialize(Spec));
        return path;
    }

    public GenomeLayout Layout() =>
        new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 2, CheckpointCacheDirectory = Cache }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance)
            .LayoutOf(Spec with { Search = Spec.Search with { Encoding = GenomeEncodings.ChannelBits } }, CancellationToken.None);

    public void Dispose() => _root.Dispose();
}

[Trait("Category", "Slow")]
public sealed class MagnitudeSweepTests(TinyModelFixture model, ITestOutputHelper output) : IClassFixture<TinyModelFixture>
{
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var result = await CliProcess.InProcessAsync(args);
        output.WriteLine(result.Stderr);
        return result;
    }

    [Fact]
    public async Task Sensitivity_prunes_each_layer_alone_and_writes_json_csv_and_a_plot_with_one_line_per_layer()
    {
        using var temp = new TempDirectory();
        var outDir = Path.Combine(temp.Path, "sens");
        var (code, stdout, stderr) = await RunAsync("sensitivity", model.SpecFile(temp.Path), "--fractions", "0.3,0.7", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);

        var report = JsonSerializer.Deserialize<SensitivityReport>(stdout, SpecFile.JsonOptions)!;
        var layout = model.Layout();
        Assert.Equal(layout.Segments.Select(s => s.Name), report.Layers.Select(l => l.Layer));
        Assert.Equal(3, report.FineTuneSteps);
        Assert.InRange(report.UnprunedAccuracy, 0.3, 1.0);
        foreach (var layer in report.Layers)
        {
            var segment = layout.Segments.Single(s => s.Name == layer.Layer);
            Assert.Equal(segment.Bits, layer.Channels);
            Assert.Equal([0.3, 0.7], layer.Points.Select(p => p.PrunedFraction));
            Assert.All(layer.Points, p =>
            {
                Assert.Null(p.FailureReason);
                Assert.Equal(Math.Max(segment.MinKeep, (int)Math.Ceiling((1 - p.PrunedFraction) * segment.Bits)), p.KeptChannels);
                Assert.InRange(p.Accuracy, 0.0, 1.0);
                Assert.Equal((report.UnprunedAccuracy - p.Accuracy) * 100, p.AccuracyDropPoints, 9);
            });

            // Pruning one layer harder leaves fewer MACs.
            Assert.True(layer.Points[1].Macs < layer.Points[0].Macs, $"{layer.Layer}: {layer.Points[1].Macs} >= {layer.Points[0].Macs}");
        }

        var csv = File.ReadAllLines(Path.Combine(outDir, SensitivityOutput.CsvFileName));
        Assert.Equal(1 + (2 * report.Layers.Count), csv.Length);
        Assert.StartsWith("layer,channels,pruned_fraction", csv[0], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, SensitivityReport.FileName)));
        Assert.True(new FileInfo(Path.Combine(outDir, "sensitivity.svg")).Length > 0);
        var png = await File.ReadAllBytesAsync(Path.Combine(outDir, "sensitivity.png"));
        Assert.Equal((SensitivityOutput.Width, SensitivityOutput.Height), (ReadBigEndian(png, 16), ReadBigEndian(png, 20)));
        using var plot = SensitivityOutput.Plot(report);
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(report.Layers.Count, lines.Length);
        Assert.All(lines, l => Assert.Equal(2, l.Data.GetScatterPoints().Count));

        // Without --json: the table lists every layer and the files written.
        var table = await RunAsync("sensitivity", model.SpecFile(temp.Path), "--fractions", "0.5", "--no-recovery", "--out", Path.Combine(temp.Path, "table"));
        Assert.Equal(0, table.ExitCode);
        Assert.All(report.Layers, l => Assert.Contains(l.Layer, table.Stdout, StringComparison.Ordinal));
        Assert.Contains("0 recovery steps", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("sensitivity.png", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_on_a_run_directory_writes_the_uniform_sweep_and_the_scatter_overlays_it()
    {
        using var temp = new TempDirectory();
        var run = Path.Combine(temp.Path, "run");
        var full = Genome.Full(model.Layout()).ToCanonicalString();
        var pareto = new ParetoSet
        {
            ExperimentId = "sweep-run",
            Objectives = model.Spec.Objectives,
            Evaluated = 1,
            Entries = [new ParetoEntry { CandidateId = 0, MaskText = full, MaskHash = "ffff0000", IndividualKey = "key-full", Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.8, [MetricNames.Macs] = 400_000 } }],
        };
        RunDirectory.Write(run, model.Spec, new ExperimentStatus { ExperimentId = "sweep-run", State = ExperimentState.Completed, Evaluated = 1 }, pareto, []);
        Assert.Contains("No uniform-pruning sweep", await File.ReadAllTextAsync(Path.Combine(run, RunDirectory.ReportFileName)), StringComparison.Ordinal);
        using (var before = Charts.ParetoScatter(RunDirectory.Read(run), MetricNames.Macs, MetricNames.Accuracy))
        {
            Assert.DoesNotContain(before.GetPlottables().OfType<ScottPlot.Plottables.Scatter>(), s => s.LegendText.StartsWith("uniform", StringComparison.Ordinal));
        }

        var (code, stdout, stderr) = await RunAsync("baseline", run, "--fractions", "0.25,0.5,0.75");
        Assert.True(code == 0, stderr);
        Assert.Contains(UniformSweep.FileName, stdout, StringComparison.Ordinal);

        var results = RunDirectory.Read(run);
        var sweep = Assert.IsType<UniformSweep>(results.Uniform);
        Assert.Equal([0.25, 0.5, 0.75], sweep.Points.Select(p => p.PrunedFraction));
        Assert.All(sweep.Points, p =>
        {
            Assert.Null(p.FailureReason);
            Assert.InRange(p.Metrics[MetricNames.Accuracy], 0.0, 1.0);
            Assert.True(p.Metrics.ContainsKey(MetricNames.LatencyMs), "the sweep measures what the search measures");
        });
        var macs = sweep.Points.Select(p => p.Metrics[MetricNames.Macs]).ToArray();
        Assert.True(macs[0] > macs[1] && macs[1] > macs[2], string.Join(", ", macs));
        Assert.Equal(1 + 3, File.ReadAllLines(Path.Combine(run, BaselineCommand.CsvFileName)).Length);

        using var after = Charts.ParetoScatter(results, MetricNames.Macs, MetricNames.Accuracy);
        var uniform = Assert.Single(after.GetPlottables().OfType<ScottPlot.Plottables.Scatter>(), s => s.LegendText.StartsWith("uniform", StringComparison.Ordinal));
        Assert.Equal(3, uniform.Data.GetScatterPoints().Count);
        Assert.DoesNotContain("No uniform-pruning sweep", await File.ReadAllTextAsync(Path.Combine(run, RunDirectory.ReportFileName)), StringComparison.Ordinal);

        // The plot verb draws it too.
        var plot = await RunAsync("plot", run, "--format", "png", "--json");
        Assert.Equal(0, plot.ExitCode);
        var images = JsonSerializer.Deserialize<List<ChartImage>>(plot.Stdout, SpecFile.JsonOptions)!;
        var scatter = Assert.Single(images, i => i.Title.StartsWith("Pareto scatter", StringComparison.Ordinal));
        Assert.Equal(after.GetPlottables().Count(), scatter.SeriesCount);
    }

    [Fact]
    public async Task Bad_fractions_and_a_synthetic_spec_fail_with_one_line_naming_the_problem()
    {
        using var temp = new TempDirectory();
        var bad = await RunAsync("baseline", model.SpecFile(temp.Path), "--fractions", "0.5,1.5");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("--fractions: '1.5' is not a fraction in (0, 1)", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bad.Stderr, StringComparison.Ordinal);

        var synthetic = temp.File("synthetic.json", SpecFile.Serialize(model.Spec with { Backend = "synthetic", Dataset = "synthetic", Synthetic = new SyntheticSettings { SegmentBits = [8, 8] } }));
        var wrong = await RunAsync("sensitivity", synthetic);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("backend is 'synthetic'", wrong.Stderr, StringComparison.Ordinal);
    }

    private static int ReadBigEndian(byte[] bytes, int offset) => (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
