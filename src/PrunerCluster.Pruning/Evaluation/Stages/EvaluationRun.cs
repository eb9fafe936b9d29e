using System.Diagnostics;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// What one evaluation has gathered so far: its inputs, the metrics, notes and phase times the stages add, and the
/// failure that ends it. One per call of <see cref="PruningEvaluator"/>; used by one thread.
/// </summary>
internal sealed class EvaluationRun(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, string? exportDirectory)
{
    public BaselineCheckpoint Checkpoint { get; } = checkpoint;

    public PruneMask Mask { get; } = mask;

    public EvaluationSettings Settings { get; } = settings;

    public Device Device { get; } = device;

    public string? ExportDirectory { get; } = exportDirectory;

    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double> Phases { get; } = new(StringComparer.Ordinal);

    public List<string> Notes { get; } = [];

    public string? Failure { get; set; }

    public string EnergySource { get; set; } = MetricSources.Modeled;

    public IReadOnlyList<double> PerClassRecall { get; set; } = [];

    public IReadOnlyDictionary<string, int[]> Kept { get; set; } = new Dictionary<string, int[]>();

    public IReadOnlyDictionary<string, double> SparsityFractions { get; set; } = new Dictionary<string, double>();

    public ArchitectureSpec? PrunedArchitecture { get; set; }

    public string? WeightsSha256 { get; set; }

    public WarmStart? Warm { get; init; }

    /// <summary>The innermost timed phase an exception left (e.g. <c>fine_tune</c>), for the failure reason; null when none did.</summary>
    public string? FailedPhase { get; set; }

    /// <summary>" in &lt;phase&gt;" when an exception left a timed phase, else empty.</summary>
    public string InPhase => FailedPhase is null ? "" : " in " + FailedPhase;

    public T Time<T>(string phase, Func<T> action)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return action();
        }
        catch (Exception) when (RecordFailure(phase))
        {
            throw;
        }
        finally
        {
            Phases[phase] = Phases.GetValueOrDefault(phase) + Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
    }

    public void Time(string phase, Action action) => Time(phase, () =>
    {
        action();
        return 0;
    });

    public Dictionary<string, string> Sources()
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Metrics.Keys)
        {
            sources[name] = name switch
            {
                MetricNames.Macs or MetricNames.Flops or MetricNames.Params or MetricNames.EffectiveMacs or MetricNames.NonzeroParams
                    or MetricNames.BaselineMacs or MetricNames.MacRatio or MetricNames.KeptFraction => MetricSources.Analytic,
                MetricNames.PeakMemoryBytes => MetricSources.Modeled,
                MetricNames.EnergyMj => EnergySource,
                _ => MetricSources.Measured,
            };
        }

        return sources;
    }

    public EvaluationResult ToResult() => new(Failure is null, Failure, new Dictionary<string, double>(Metrics), EnergySource, new Dictionary<string, double>(Phases), Device.ToString())
    {
        MetricSources = Sources(),
        PerClassRecall = PerClassRecall,
        KeptIndices = Kept,
        PrunedArchitecture = PrunedArchitecture,
        Notes = [.. Notes],
        CheckpointHash = Checkpoint.ContentHash,
        MaskHash = Mask.ContentHash,
        SettingsHash = Settings.ContentHash,
        ExportDirectory = Failure is null ? ExportDirectory : null,
        WeightsSha256 = Failure is null ? WeightsSha256 : null,
    };

    /// <summary>An exception filter: notes the innermost phase (filters run innermost first) and never catches.</summary>
    private bool RecordFailure(string phase)
    {
        FailedPhase ??= phase;
        return false;
    }
}
