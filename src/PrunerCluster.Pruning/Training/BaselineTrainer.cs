using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;

namespace PrunerCluster.Pruning.Training;

/// <summary>Defaults reproduce the measured VGG recipe: Adam 1e-3 with cosine decay, batch 128, 2 epochs (about 91.5% Fashion-MNIST test accuracy).</summary>
public sealed record BaselineTrainingSettings
{
    public string Model { get; init; } = ModelZoo.Vgg;

    public string Dataset { get; init; } = DatasetCatalog.FashionMnist;

    public string? DataRoot { get; init; }

    /// <summary>A data set chosen by format; when set it replaces <see cref="Dataset"/>, <see cref="DataRoot"/> and <see cref="ValidationSize"/>.</summary>
    public DatasetDescriptor? Source { get; init; }

    public int Epochs { get; init; } = 2;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 1e-3;

    public long Seed { get; init; } = 1;

    public int ValidationSize { get; init; } = 5000;

    public ulong SplitSeed { get; init; } = 1;

    public int Threads { get; init; } = 2;

    /// <summary>Limits the training set (tests use small slices); null = all.</summary>
    public int? MaxTrainSamples { get; init; }

    /// <summary>Limits the test set used to report accuracy; null = all.</summary>
    public int? MaxTestSamples { get; init; }

    public string DevicePreference { get; init; } = "cpu";

    public string ContentHash => Sha256Hex.Of(string.Join('|', Model, Dataset, DataRoot ?? "", Epochs, BatchSize, LearningRate.ToString("R", CultureInfo.InvariantCulture), Seed, ValidationSize, SplitSeed, Threads, MaxTrainSamples?.ToString(CultureInfo.InvariantCulture) ?? "all", MaxTestSamples?.ToString(CultureInfo.InvariantCulture) ?? "all", "v1") + (Source is null ? "" : "|" + Source.ToCanonicalString()));

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Model);
        ArgumentException.ThrowIfNullOrWhiteSpace(Dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        if (!ModelZoo.Names.Contains(Model))
        {
            throw new ArgumentException($"Unknown model '{Model}'; known: {string.Join(", ", ModelZoo.Names)}.", nameof(Model));
        }
    }
}

public static class BaselineTrainer
{
    private const int ReportEverySteps = 5;

    /// <summary>Where <see cref="TrainOrLoad"/> keeps the weights for these settings (metadata beside them as <c>.json</c>).</summary>
    public static string CachedWeightsPath(BaselineTrainingSettings settings, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        return Path.GetFullPath(Path.Combine(cacheDirectory, $"{settings.Model}-{settings.Dataset}-{settings.ContentHash[..16]}.bin"));
    }

    /// <summary>
    /// Returns the cached checkpoint for these settings when its weights still match their recorded hash; otherwise trains (deterministically
    /// for the seed and thread count), evaluates on the full validation and test sets and writes <c>&lt;name&gt;.bin</c> + <c>&lt;name&gt;.bin.json</c>.
    /// A host gives its data set cache (<paramref name="cache"/>) and device gates (<paramref name="gates"/>); without them, this call loads
    /// the data for itself and trains under a gate of its own.
    /// </summary>
    /// <param name="report">Called on the training thread every few steps and after the last one (a progress bar's feed).</param>
    public static BaselineCheckpoint TrainOrLoad(BaselineTrainingSettings settings, string cacheDirectory, Action<string>? progress = null, DatasetCache? cache = null, DeviceGates? gates = null, Action<TrainingProgress>? report = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        settings.Validate();
        Directory.CreateDirectory(cacheDirectory);
        var weights = CachedWeightsPath(settings, cacheDirectory);
        var metadata = weights + ".json";
        if (File.Exists(weights) && File.Exists(metadata))
        {
            try
            {
                var cached = BaselineCheckpoint.Load(metadata);
                progress?.Invoke($"baseline: reusing {weights} (sha256 {cached.ContentHash[..12]}, test accuracy {cached.TestAccuracy:P2})");
                return cached with { Path = weights };
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
            {
                progress?.Invoke($"baseline: cached checkpoint unusable ({e.Message}); retraining");
            }
        }

        TorchRuntime.Initialize(settings.Threads);
        var device = TorchRuntime.SelectDevice(settings.DevicePreference);
        var datasets = cache ?? new DatasetCache();
        var data = settings.Source is { } source ? datasets.GetOrLoad(source, settings.SplitSeed) : datasets.GetOrLoad(settings.Dataset, settings.DataRoot, settings.ValidationSize, settings.SplitSeed);
        var train = settings.MaxTrainSamples is { } maxTrain ? data.Train.Take(maxTrain) : data.Train;
        var test = settings.MaxTestSamples is { } maxTest ? data.Test.Take(maxTest) : data.Test;
        var architecture = ModelZoo.DefaultArchitecture(settings.Model, data.Channels, data.ImageSize, data.Classes);
        var stepsPerEpoch = (train.Count + settings.BatchSize - 1) / settings.BatchSize;
        var steps = stepsPerEpoch * settings.Epochs;
        progress?.Invoke($"baseline: training {settings.Model} on {train.Count} {settings.Dataset} samples, {settings.Epochs} epoch(s) = {steps} steps, batch {settings.BatchSize}, {settings.Threads} thread(s)");
        var clock = Stopwatch.StartNew();
        using var model = ModelZoo.Create(architecture, settings.Seed);
        model.to(device);
        var outcome = Trainer.Train(
            model,
            train,
            new FineTuneOptions { Steps = steps, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate, Seed = unchecked((ulong)settings.Seed), Cosine = true },
            onStep: (step, loss) =>
            {
                if (report is not null && ((step + 1) % ReportEverySteps == 0 || step + 1 == steps))
                {
                    report(new TrainingProgress(step + 1, steps, Math.Min(settings.Epochs, (step / stepsPerEpoch) + 1), settings.Epochs, loss, clock.Elapsed));
                }

                if ((step + 1) % 100 == 0 || step + 1 == steps)
                {
                    progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"baseline: step {step + 1}/{steps} loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
                }
            },
            gate: (gates ?? new DeviceGates()).For(device.ToString()),
            ct: ct);
        if (outcome.Diverged)
        {
            throw new InvalidOperationException($"Baseline training diverged: {outcome.Reason}.");
        }

        var trainingSeconds = clock.Elapsed.TotalSeconds;
        var validation = ClassificationMetrics.Evaluate(model, data.Validation, ct: ct);
        var testReport = ClassificationMetrics.Evaluate(model, test, ct: ct);
        // Unique temporary names: processes sharing the checkpoint cache may train the same baseline at once.
        var unique = "." + Guid.NewGuid().ToString("N")[..12] + ".tmp";
        var temp = weights + unique;
        model.save(temp);
        File.Move(temp, weights, overwrite: true);
        var checkpoint = new BaselineCheckpoint(weights, settings.Model, settings.Dataset, Sha256Hex.OfFile(weights), testReport.Accuracy, validation.Accuracy, settings.Seed)
        {
            Architecture = architecture,
            DataRoot = settings.DataRoot,
            Source = settings.Source,
            ValidationSize = settings.ValidationSize,
            SplitSeed = settings.SplitSeed,
            TrainingSeconds = trainingSeconds,
            Epochs = settings.Epochs,
            SettingsHash = settings.ContentHash,
        };
        File.WriteAllText(metadata + unique, checkpoint.ToJson());
        File.Move(metadata + unique, metadata, overwrite: true);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"baseline: done in {trainingSeconds:F1} s, validation {validation.Accuracy:P2}, test {testReport.Accuracy:P2}, sha256 {checkpoint.ContentHash[..12]}"));
        return checkpoint;
    }
}
