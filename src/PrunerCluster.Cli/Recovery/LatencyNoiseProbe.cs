using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Silo.Backends;
using MetricNames = PrunerCluster.Contracts.MetricNames;

namespace PrunerCluster.Cli.Recovery;

/// <summary>
/// The run's noise figure: while a search runs, the unpruned model is timed again at intervals, the same way (exclusive
/// timing window, adaptive repeats) as every candidate, competing with the search's own slots. The coefficient of
/// variation of those medians is what a latency objective can trust.
/// </summary>
public sealed class LatencyNoiseProbe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _samples = [];
    private readonly Task _loop;
    private volatile bool _ready;

    private LatencyNoiseProbe(TorchSharpEvaluationBackend backend, ExperimentSpec spec, int samples, TimeSpan interval)
    {
        _loop = Task.Factory.StartNew(() => Loop(backend, spec, samples, interval), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public static LatencyNoiseProbe Start(TorchSharpEvaluationBackend backend, ExperimentSpec spec, int samples, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        return new LatencyNoiseProbe(backend, spec, samples, interval);
    }

    /// <summary>Call once the experiment's baseline is prepared (the probe never trains one itself).</summary>
    public void MarkReady() => _ready = true;

    public string? Error { get; private set; }

    /// <summary>Stops sampling and returns the medians collected so far.</summary>
    public async Task<IReadOnlyList<double>> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_samples)
        {
            return [.. _samples];
        }
    }

    public static double? CoefficientOfVariation(IReadOnlyList<double> samples) =>
        samples.Count < 2 ? null : TimingStatistics.Of([.. samples]).CoefficientOfVariation;

    public void Dispose() => _stop.Dispose();

    private void Loop(TorchSharpEvaluationBackend backend, ExperimentSpec spec, int count, TimeSpan interval)
    {
        var token = _stop.Token;
        while (!_ready)
        {
            if (token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500)))
            {
                return;
            }
        }

        try
        {
            var full = Genome.Full(backend.LayoutOf(spec, token)).ToCanonicalString();
            for (var i = 0; i < count && !token.IsCancellationRequested; i++)
            {
                var result = backend.EvaluateMask(spec, full, s => s with { FineTuneSteps = 0, ValidationSamples = 1, EnergyWindow = TimeSpan.Zero }, null, token);
                if (result.Succeeded && result.Metrics.TryGetValue(MetricNames.LatencyMs, out var ms))
                {
                    lock (_samples)
                    {
                        _samples.Add(ms);
                    }
                }

                if (token.WaitHandle.WaitOne(interval))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ArgumentException or InvalidDataException)
        {
            Error = ex.Message;
        }
    }
}
