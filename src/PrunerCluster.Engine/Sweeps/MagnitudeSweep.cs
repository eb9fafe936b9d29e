using System.Globalization;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Sweeps;

/// <summary>
/// Magnitude-pruning sweeps of one spec's model and data with the real engine: the uniform baseline (every group pruned
/// by the same fraction, the search's own evaluation and recovery settings) and per-layer sensitivity (one group at a
/// time). Masks are channel bits over the prepared importance order (<see cref="MagnitudeMasks"/>). Synchronous and
/// TorchSharp-bound: run it on a dedicated thread.
/// </summary>
public sealed class MagnitudeSweep(TorchSharpEvaluationBackend backend, ExperimentSpec spec, Action<string> progress)
{
    private readonly ExperimentSpec _spec = spec with { Search = spec.Search with { Encoding = GenomeEncodings.ChannelBits } };

    /// <summary>Every group pruned by each fraction, evaluated exactly as the search evaluates a candidate.</summary>
    public UniformSweep Uniform(IReadOnlyList<double> prunedFractions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prunedFractions);
        var (layout, importance, _) = Prepare(ct);
        var points = new List<UniformSweepPoint>();
        foreach (var fraction in prunedFractions)
        {
            var genome = MagnitudeMasks.Uniform(layout, importance, 1 - fraction);
            var result = backend.EvaluateMask(_spec, genome.ToCanonicalString(), null, null, ct);
            points.Add(new UniformSweepPoint
            {
                PrunedFraction = fraction,
                Metrics = new Dictionary<string, double>(result.Metrics, StringComparer.Ordinal),
                FailureReason = result.Succeeded ? null : result.FailureReason ?? "evaluation failed",
            });
            progress(result.Succeeded
                ? string.Create(CultureInfo.InvariantCulture, $"uniform {fraction:P0}: accuracy {result.Metrics.GetValueOrDefault(MetricNames.Accuracy):P2}, {result.Metrics.GetValueOrDefault(MetricNames.Macs):N0} MACs")
                : string.Create(CultureInfo.InvariantCulture, $"uniform {fraction:P0}: failed: {result.FailureReason}"));
        }

        return new UniformSweep { Points = points };
    }

    /// <summary>
    /// Each group alone at each fraction with <paramref name="fineTuneSteps"/> of recovery (null: the spec's). Latency is
    /// timed only once per point: sensitivity is about accuracy.
    /// </summary>
    public SensitivityReport Sensitivity(IReadOnlyList<double> prunedFractions, int? fineTuneSteps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prunedFractions);
        var (layout, importance, unpruned) = Prepare(ct);
        var steps = fineTuneSteps ?? backend.ResolveSettings(_spec).FineTuneSteps;
        EvaluationSettings Adjust(EvaluationSettings s) => s with
        {
            FineTuneSteps = steps,
            LatencyRuns = 1,
            LatencyWarmup = 0,
            LatencyMaxRuns = 1,
            EnergyWindow = TimeSpan.Zero,
        };

        var layers = new List<LayerSensitivity>();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var segment = layout.Segments[s];
            if (!importance.ContainsKey(segment.Name))
            {
                continue;
            }

            var points = new List<SensitivityPoint>();
            foreach (var fraction in prunedFractions)
            {
                var genome = MagnitudeMasks.SingleGroup(layout, importance, segment.Name, 1 - fraction);
                var result = backend.EvaluateMask(_spec, genome.ToCanonicalString(), Adjust, null, ct);
                var accuracy = result.Succeeded ? result.Metrics.GetValueOrDefault(MetricNames.Accuracy, double.NaN) : double.NaN;
                points.Add(new SensitivityPoint
                {
                    PrunedFraction = fraction,
                    KeptChannels = genome.CountKept(s),
                    Accuracy = accuracy,
                    AccuracyDropPoints = (unpruned - accuracy) * 100,
                    Macs = result.Metrics.GetValueOrDefault(MetricNames.Macs, double.NaN),
                    FailureReason = result.Succeeded ? null : result.FailureReason ?? "evaluation failed",
                });
                progress(string.Create(CultureInfo.InvariantCulture, $"{segment.Name} {fraction:P0} ({genome.CountKept(s)}/{segment.Bits} kept): ")
                    + (result.Succeeded ? string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:P2}") : "failed: " + result.FailureReason));
            }

            layers.Add(new LayerSensitivity { Layer = segment.Name, Channels = segment.Bits, Points = points });
        }

        return new SensitivityReport
        {
            Model = _spec.Model,
            Dataset = _spec.Dataset,
            FineTuneSteps = steps,
            UnprunedAccuracy = unpruned,
            PrunedFractions = prunedFractions,
            Layers = layers,
        };
    }

    private (GenomeLayout Layout, IReadOnlyDictionary<string, double[]> Importance, double UnprunedAccuracy) Prepare(CancellationToken ct)
    {
        var prepared = backend.PrepareCached(_spec, ct);
        var importance = prepared.SegmentImportance ?? throw new InvalidOperationException("the engine gave no importance order for this model");
        return (backend.LayoutOf(_spec, ct), importance, prepared.BaselineMetrics.GetValueOrDefault(MetricNames.Accuracy, double.NaN));
    }
}
