using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Pruning;

namespace PrunerCluster.Engine.Recovery;

/// <summary>
/// The embedded search's stages around the grains (only for the TorchSharp backend): the latency noise probe while the
/// search runs, re-timing the front when no final recovery did, and final recovery of a run that finished without it
/// (the 'recover' verb; a search's own final recovery runs on the silos).
/// </summary>
public sealed class FinalStage : IDisposable
{
    public const int DefaultNoiseSamples = 10;

    private readonly ExperimentSpec _spec;
    private readonly TorchSharpEvaluationBackend? _backend;
    private readonly LatencyNoiseProbe? _probe;

    private FinalStage(ExperimentSpec spec, TorchSharpEvaluationBackend? backend, LatencyNoiseProbe? probe)
    {
        _spec = spec;
        _backend = backend;
        _probe = probe;
    }

    /// <summary>
    /// Starts the noise probe (<paramref name="noiseSamples"/> timings spread over the search's wall-clock budget; 0 = off). It times
    /// under the device gates of <paramref name="host"/>, the services of the silo the search runs on in this process, so that its
    /// timing windows exclude that silo's training.
    /// </summary>
    public static FinalStage Start(ExperimentSpec spec, int noiseSamples, PruningHostServices host)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(host);
        if (!string.Equals(spec.Backend, TorchSharpEvaluationBackend.BackendName, StringComparison.OrdinalIgnoreCase))
        {
            return new FinalStage(spec, null, null);
        }

        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions()), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance, host: host);
        var interval = spec.Budget.WallClock is { } wall ? wall / (noiseSamples + 2) : TimeSpan.FromSeconds(30);
        var probe = noiseSamples >= 2 ? LatencyNoiseProbe.Start(backend, spec, noiseSamples, interval) : null;
        return new FinalStage(spec, backend, probe);
    }

    /// <summary>The stages after a search that has already finished (the 'recover' verb): no noise probe.</summary>
    public static FinalStage ForFinishedRun(ExperimentSpec spec, TorchSharpEvaluationBackend backend)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(backend);
        return new FinalStage(spec, backend, null);
    }

    /// <summary>Feed every status the search reports; the probe starts once the baseline is prepared.</summary>
    public void Observe(ExperimentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.State is not (ExperimentState.Pending or ExperimentState.Preparing))
        {
            _probe?.MarkReady();
        }
    }

    public async Task<IReadOnlyList<double>> StopProbeAsync() => _probe is null ? [] : await _probe.StopAsync().ConfigureAwait(false);

    /// <summary>The probe's raw medians (before reference scaling), matching <see cref="StopProbeAsync"/>'s samples.</summary>
    public IReadOnlyList<double> ProbeRawSamples => _probe?.RawSamples ?? [];

    /// <summary>
    /// Re-times every Pareto member alone on the device and recomputes the front (members now dominated leave); null when
    /// no objective or constraint is timed, the set is empty, or the backend is not TorchSharp.
    /// </summary>
    public async Task<RemeasuredFront?> RemeasureAsync(ParetoSet pareto, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(output);
        if (_backend is null || !FrontRemeasurement.Affects(_spec) || pareto.Entries.Count == 0)
        {
            return null;
        }

        var backend = _backend;
        return await Task.Factory.StartNew(
            () => FrontRemeasurer.Run(backend, _spec, pareto, output.WriteLine, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Runs final recovery here (the 'recover' verb for a finished run) when the spec asks for it; null otherwise (or for backends other than TorchSharp).</summary>
    public async Task<FinalRecoveryResult?> RecoverAsync(ParetoSet pareto, IReadOnlyList<double> noise, string? exportRoot, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(output);
        if (_backend is null || _spec.FinalRecovery is not { Enabled: true } || pareto.Entries.Count == 0)
        {
            return null;
        }

        var result = await Task.Factory.StartNew(
            () => FinalRecoveryRunner.Run(_backend, _spec, pareto, exportRoot, output.WriteLine, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        return WithNoise(result, noise);
    }

    /// <summary>The final table with this run's latency noise figure (the probe's timings during the search).</summary>
    public FinalRecoveryResult WithNoise(FinalRecoveryResult result, IReadOnlyList<double> noise)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(noise);
        var raw = ProbeRawSamples;
        return result with
        {
            NoiseSamplesMs = noise,
            NoiseCv = LatencyNoiseProbe.CoefficientOfVariation(noise),
            NoiseRawSamplesMs = raw,
            NoiseRawCv = LatencyNoiseProbe.CoefficientOfVariation(raw),
        };
    }

    public void Dispose() => _probe?.Dispose();
}
