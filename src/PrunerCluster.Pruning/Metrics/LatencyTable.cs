using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// A per-layer latency lookup table (as NetAdapt and AMC use): the forward time of every convolution and linear layer
/// shape, timed once on one device at one thread count and batch size (the injected timer), summed to predict a pruned
/// model's latency without timing the model. BatchNorm layers are skipped (deployment folds them into the convolution,
/// <see cref="InferenceForm"/>). The ReLU after a convolution is timed with it (<see cref="LayerTimer"/>); pooling and the
/// other parameter-free operations are not in the table:
/// <see cref="Calibrate"/> scales the sum by the ratio of one measured model's latency (the unpruned one) to its own sum.
/// Not thread-safe: one table per timing thread.
/// </summary>
public sealed class LatencyTable
{
    private readonly Func<LayerDesc, double> _timeLayer;
    private readonly Dictionary<LayerShape, double> _milliseconds = [];

    public LatencyTable(Func<LayerDesc, double> timeLayer)
    {
        ArgumentNullException.ThrowIfNull(timeLayer);
        _timeLayer = timeLayer;
    }

    /// <summary>Layer shapes timed so far.</summary>
    public int Entries => _milliseconds.Count;

    /// <summary>Lookups answered from the table without timing.</summary>
    public int Hits { get; private set; }

    /// <summary>Measured latency over table sum of the calibration model; 1 until <see cref="Calibrate"/>.</summary>
    public double Scale { get; private set; } = 1.0;

    /// <summary>The forward time of one layer, timed on first sight of its shape.</summary>
    public double LayerMs(LayerDesc layer)
    {
        var key = LayerShape.Of(layer);
        if (_milliseconds.TryGetValue(key, out var ms))
        {
            Hits++;
            return ms;
        }

        ms = _timeLayer(layer);
        if (!(ms >= 0 && double.IsFinite(ms)))
        {
            throw new InvalidOperationException($"layer '{layer.Name}' ({key}) was timed at {ms} ms; expected a finite time >= 0");
        }

        _milliseconds[key] = ms;
        return ms;
    }

    /// <summary>The sum of the table's times over a model's convolution and linear layers (uncalibrated).</summary>
    public double SumMs(IEnumerable<LayerDesc> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.Where(l => l.Kind is LayerKind.Conv or LayerKind.Linear).Sum(LayerMs);
    }

    /// <summary>Sets <see cref="Scale"/> so the prediction of <paramref name="layers"/> equals <paramref name="measuredMs"/>.</summary>
    public void Calibrate(IEnumerable<LayerDesc> layers, double measuredMs)
    {
        if (!(measuredMs > 0 && double.IsFinite(measuredMs)))
        {
            throw new ArgumentOutOfRangeException(nameof(measuredMs), measuredMs, "The calibration model's measured latency must be a positive time.");
        }

        var sum = SumMs(layers);
        Scale = sum > 0 ? measuredMs / sum : 1.0;
    }

    /// <summary>Predicted latency of a model from its layers: the calibrated table sum.</summary>
    public double PredictMs(IEnumerable<LayerDesc> layers) => SumMs(layers) * Scale;
}
