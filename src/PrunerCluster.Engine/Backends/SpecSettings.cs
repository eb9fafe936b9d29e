using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Engine.Backends;

/// <summary>How a spec's evaluation and baseline sections become the pruning engine's settings.</summary>
public static class SpecSettings
{
    /// <summary>Maps the experiment's evaluation section onto the engine's settings; unset fields keep the engine's defaults.</summary>
    public static EvaluationSettings Resolve(ExperimentSpec spec, int defaultThreads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var e = spec.Evaluation;
        var defaults = new EvaluationSettings { Threads = defaultThreads };
        var mode = e.Mode is null ? defaults.Mode : ParseEnum<PruningMode>(e.Mode, "Mode");
        var levelEncoding = GenomeMaskMapper.IsLevelEncoding(GenomeMaskMapper.EffectiveEncoding(spec, mode));
        return defaults with
        {
            FineTuneSteps = e.FineTuneSteps ?? defaults.FineTuneSteps,
            RecalibrationBatches = e.RecalibrationBatches ?? defaults.RecalibrationBatches,
            LearningRate = e.LearningRate ?? defaults.LearningRate,
            Normalization = DataSourceResolver.Normalization(spec),

            // Imported graphs come with BatchNorm folded and weights of unknown scale: without a rate in the spec, a range
            // test on the unpruned model picks one (issue #30: 2e-3 took an imported ResNet from 74 % to 29 % in 50 steps).
            LearningRateSearch = e.LearningRate is null && spec.ModelSource?.Onnx is not null,
            WarmupFraction = e.WarmupFraction ?? defaults.WarmupFraction,
            BatchSize = e.BatchSize ?? defaults.BatchSize,
            Optimizer = e.Optimizer is null ? defaults.Optimizer : ParseEnum<OptimizerKind>(e.Optimizer, "Optimizer"),
            DistillationWeight = e.DistillationWeight ?? defaults.DistillationWeight,
            ValidationSamples = e.ValidationSamples ?? defaults.ValidationSamples,
            LatencyBatchSize = e.LatencyBatchSize ?? defaults.LatencyBatchSize,
            LatencyRuns = e.LatencyRuns ?? defaults.LatencyRuns,
            LatencyWarmup = e.LatencyWarmup ?? defaults.LatencyWarmup,
            EnergyWindow = e.EnergyWindow is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.EnergyWindow,
            RoundChannelsTo = e.RoundChannelsTo ?? (levelEncoding ? GenomeMaskMapper.DefaultLevelRounding : defaults.RoundChannelsTo),
            Mode = mode,
            LatencyMaxRuns = e.LatencyMaxRuns ?? defaults.LatencyMaxRuns,
            LatencyTargetCiPercent = e.LatencyTargetCiPercent ?? defaults.LatencyTargetCiPercent,
            LatencyMaxSeconds = e.LatencyMaxSeconds ?? defaults.LatencyMaxSeconds,
            ExclusiveTiming = e.ExclusiveTiming ?? defaults.ExclusiveTiming,
            Importance = e.Importance is null ? defaults.Importance : ParseEnum<ImportanceCriterion>(e.Importance, "Importance"),
            ImportanceBatches = e.ImportanceBatches ?? defaults.ImportanceBatches,
            LatencyReference = e.LatencyReference is null ? defaults.LatencyReference : ParseEnum<Pruning.Metrics.LatencyReference>(e.LatencyReference, "LatencyReference"),
            SparsityLevels = e.SparsityLevels ?? defaults.SparsityLevels,
            Seed = e.Seed ?? spec.Search.Seed,
            Threads = e.Threads ?? defaults.Threads,
        };
    }

    /// <summary>
    /// The baseline training a spec asks for, its data set resolved as the search resolves it (by name, or by format and folder):
    /// what the prepare step trains and what 'train' trains, so both use one cache entry. Throws <see cref="ArgumentException"/>
    /// naming the field when the data set is unknown.
    /// </summary>
    public static BaselineTrainingSettings BaselineTraining(ExperimentSpec spec, int defaultThreads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException($"{dataError!.Field}: {dataError.Message}", nameof(spec));
        return new BaselineTrainingSettings
        {
            Model = spec.Model,
            Dataset = spec.DatasetSource is null ? spec.Dataset : descriptor.DisplayName,
            DataRoot = spec.DataRoot,
            Source = spec.DatasetSource is null ? null : descriptor,
            ValidationSize = spec.DatasetSource is null ? descriptor.ResolveValidation(DatasetCatalog.Probe(descriptor).TrainCount) : DatasetDescriptor.DefaultValidationCap,
            Epochs = spec.Baseline.Epochs,
            Seed = unchecked((long)spec.Baseline.Seed),
            Threads = Resolve(spec, defaultThreads).Threads,
            MaxTrainSamples = spec.Baseline.MaxTrainSamples,
            MaxTestSamples = spec.Baseline.MaxTestSamples,
        };
    }

    private static T ParseEnum<T>(string text, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"'{text}' is not a valid {field}; expected one of {string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()}", field);
}
