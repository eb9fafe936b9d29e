using System.Globalization;
using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Recovery;

/// <summary>
/// The run's noise figure: while a search runs, one fixed half-width model (every group keeps about half its units) is
/// timed again at intervals, the same way (exclusive timing window, adaptive repeats, against the unpruned reference
/// when the spec says so) as every candidate, competing with the search's own slots. The coefficient of variation of its
/// <c>latency_ms</c> is what a latency objective can trust; that of its raw medians shows what the reference removes.
/// A half-width model, not the unpruned one, so that the reference is never timed against itself.
/// </summary>
public sealed class LatencyNoiseProbe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _samples = [];
    private readonly List<double> _raw = [];
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

    /// <summary>The probe model's own medians (before reference scaling), in the order timed.</summary>
    public IReadOnlyList<double> RawSamples
    {
        get
        {
            lock (_samples)
            {
                return [.. _raw];
            }
        }
    }

    /// <summary>A genome of <paramref name="layout"/> whose every group keeps about half: the first half of each segment's bits, middle integer genes.</summary>
    public static Genome HalfWidth(GenomeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var bits = layout.Segments.Select(s => Enumerable.Range(0, s.Bits).Select(i => i < Math.Max(s.MinKeep, (s.Bits + 1) / 2)).ToArray()).ToArray();
        var ints = layout.Segments.Select(s => Enumerable.Repeat(s.IntGeneMax / 2, s.IntGenes).ToArray()).ToArray();
        return Genome.Create(layout, bits, ints);
    }

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

    /// <summary>One line: how many timings, the coefficient of variation of latency_ms and, when they differ, of the raw medians.</summary>
    public static string Describe(IReadOnlyList<double> samples, IReadOnlyList<double> raw)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(raw);
        return FinalRecoveryReport.DescribeNoise(samples.Count, CoefficientOfVariation(samples) ?? 0, raw.Count >= 2 && !raw.SequenceEqual(samples) ? CoefficientOfVariation(raw) : null);
    }

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
            var probe = HalfWidth(backend.LayoutOf(spec, token)).ToCanonicalString();
            for (var i = 0; i < count && !token.IsCancellationRequested; i++)
            {
                var result = backend.EvaluateMask(spec, probe, s => s with { FineTuneSteps = 0, RecalibrationBatches = 0, ValidationSamples = 1, EnergyWindow = TimeSpan.Zero }, null, token);
                if (result.Succeeded && result.Metrics.TryGetValue(MetricNames.LatencyMs, out var ms))
                {
                    lock (_samples)
                    {
                        _samples.Add(ms);
                        _raw.Add(result.Metrics.GetValueOrDefault(MetricNames.LatencyRawMs, ms));
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
