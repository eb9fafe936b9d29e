using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// Deterministic stand-in for the pruning engine, for tests and benchmarks only (never the product default): metrics are
/// pure functions of the mask (per-unit importances from a seeded SHA-256 stream, a concave accuracy curve, MACs from
/// adjacent segment densities), and each evaluation holds its slot for a controllable time without using CPU.
/// </summary>
public sealed class SyntheticEvaluationBackend(TimeProvider time) : IEvaluationBackend
{
    public const string BackendName = ExperimentSpec.SyntheticBackend;
    public const double BaselineAccuracy = 0.92;
    private const double BaselineMacs = 1_000_000;
    private const double BaselineParams = 100_000;

    /// <summary>The real backend's phases and the share of the hold time each takes here.</summary>
    private static readonly (string Phase, double Share)[] Phases = [("load", 0.1), ("apply", 0.1), ("fine_tune", 0.5), ("validate", 0.2), ("latency", 0.1)];

    private readonly ConcurrentDictionary<string, int> _runsByKey = new(StringComparer.Ordinal);
    private int _totalRuns;
    private int _preparesCancelled;

    /// <summary>Models this backend pretends to know (same names as the real model zoo).</summary>
    public static IReadOnlyList<string> Models { get; } = ["mlp", "lenet5", "vgg", "resnet"];

    public static IReadOnlyList<string> Datasets { get; } = ["fashion-mnist", "cifar10", "synthetic"];

    public string Name => BackendName;

    /// <summary>Evaluations run by this instance (one per silo), for tests.</summary>
    public int TotalRuns => Volatile.Read(ref _totalRuns);

    public IReadOnlyDictionary<string, int> RunsByKey => _runsByKey;

    public IReadOnlyList<SpecError> Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        if (!Models.Contains(spec.Model, StringComparer.Ordinal))
        {
            errors.Add(new("model", $"unknown model '{spec.Model}'; known: {string.Join(", ", Models)}"));
        }

        if (!Datasets.Contains(spec.Dataset, StringComparer.Ordinal))
        {
            errors.Add(new("dataset", $"unknown dataset '{spec.Dataset}'; known: {string.Join(", ", Datasets)}"));
        }

        return errors;
    }

    public const int PrepareSteps = 20;

    /// <summary>Prepare steps that were cancelled while they waited out <see cref="SyntheticSettings.PrepareDuration"/>.</summary>
    public int PreparesCancelled => Volatile.Read(ref _preparesCancelled);

    public Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, CancellationToken cancellationToken) =>
        PrepareAsync(spec, null, cancellationToken);

    /// <summary>Waits out <see cref="SyntheticSettings.PrepareDuration"/> as <see cref="PrepareSteps"/> training steps, reporting each as a baseline's training would.</summary>
    public async Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, IProgress<PreparationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var synthetic = spec.Synthetic ?? new SyntheticSettings();
        if (synthetic.PrepareDuration > TimeSpan.Zero)
        {
            try
            {
                for (var step = 1; step <= PrepareSteps; step++)
                {
                    await Task.Delay(synthetic.PrepareDuration / PrepareSteps, time, cancellationToken).ConfigureAwait(false);
                    progress?.Report(new PreparationProgress
                    {
                        Phase = $"synthetic baseline {spec.Model}",
                        Step = step,
                        TotalSteps = PrepareSteps,
                        Epoch = 1,
                        TotalEpochs = 1,
                        Loss = 1.0 / step,
                        ElapsedSeconds = (synthetic.PrepareDuration * step / PrepareSteps).TotalSeconds,
                    });
                }
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _preparesCancelled);
                throw;
            }
        }

        var segments = synthetic.SegmentBits.Select((bits, i) => new GenomeSegment(SegmentName(i), bits)).ToArray();
        var identity = string.Create(
            CultureInfo.InvariantCulture,
            $"synthetic-checkpoint.v1|{spec.Model}|{spec.Dataset}|{string.Join(',', synthetic.SegmentBits)}|{synthetic.Salt}");
        var settingsIdentity = string.Create(
            CultureInfo.InvariantCulture,
            $"synthetic-settings.v1|{synthetic.Duration.Ticks}|{synthetic.DurationSpread:R}|{synthetic.FailBelowKeptFraction:R}");
        var importance = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var s = 0; s < segments.Length; s++)
        {
            importance[segments[s].Name] = UnitWeights(spec.Model, s, segments[s].Bits);
        }

        return new PreparedExperiment
        {
            Segments = segments,
            CheckpointHash = Sha256Hex.Of(identity),
            SettingsHash = Sha256Hex.Of(settingsIdentity),
            BaselineMetrics = Metrics(spec.Model, segments.Select(g => Enumerable.Repeat(true, g.Bits).ToArray()).ToArray()),
            SegmentImportance = importance,
            PreparedOn = "synthetic",
        };
    }

    public EvaluationOutcome Evaluate(EvaluationRequest request, SlotContext slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(slot);
        var started = time.GetUtcNow();
        var synthetic = request.Spec.Synthetic ?? new SyntheticSettings();
        bool[][] bits;
        try
        {
            var layout = Grains.EvolutionMapping.Layout(request.Prepared);
            var genome = Genome.Parse(layout, request.MaskText);
            bits = Enumerable.Range(0, layout.Segments.Count).Select(genome.GetSegmentBits).ToArray();
        }
        catch (FormatException ex)
        {
            return Failed(slot, started, $"mask does not match the genome layout: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            return Failed(slot, started, $"mask does not match the genome layout: {ex.Message}");
        }

        Interlocked.Increment(ref _totalRuns);
        var run = _runsByKey.AddOrUpdate(request.Key.Value, 1, (_, n) => n + 1);
        if (InjectedFault(request, synthetic, run, slot, started, cancellationToken) is { } faulted)
        {
            return faulted;
        }

        // Holds the slot for the configured time without burning CPU (the benchmark machines have 2 cores), split into the
        // real backend's phases so phase telemetry has the same shape.
        var shortfall = RecoveryShortfall(request);
        var duration = DurationFor(request.MaskHash, synthetic) * Math.Max(0.1, 1 - shortfall);
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (phase, share) in Phases)
        {
            var clock = time.GetTimestamp();
            if (cancellationToken.WaitHandle.WaitOne(duration * share))
            {
                return Failed(slot, started, "evaluation cancelled");
            }

            phases[phase] = time.GetElapsedTime(clock).TotalSeconds;
        }

        var metrics = Metrics(request.Spec.Model, bits);
        if (shortfall > 0)
        {
            metrics[MetricNames.Accuracy] *= 1 - (0.1 * shortfall);
            metrics[MetricNames.AccuracyDrop] = (BaselineAccuracy - metrics[MetricNames.Accuracy]) * 100;
        }
        if (synthetic.FailBelowKeptFraction > 0 && metrics[MetricNames.KeptFraction] < synthetic.FailBelowKeptFraction)
        {
            return Failed(slot, started, string.Create(
                CultureInfo.InvariantCulture,
                $"synthetic failure: kept fraction {metrics[MetricNames.KeptFraction]:F3} is below {synthetic.FailBelowKeptFraction:F3}"));
        }

        var completed = time.GetUtcNow();
        return new EvaluationOutcome
        {
            Succeeded = true,
            Metrics = metrics,
            EnergySource = "synthetic",
            PhaseSeconds = phases,
            Device = slot.Device,
            Silo = slot.Silo,
            StartedAt = started,
            CompletedAt = completed,
        };
    }

    /// <summary>The first of the spec's faults that affects this run: a hang until cancelled, a crash, or an out-of-memory failure.</summary>
    private EvaluationOutcome? InjectedFault(EvaluationRequest request, SyntheticSettings synthetic, int run, SlotContext slot, DateTimeOffset started, CancellationToken cancellationToken)
    {
        foreach (var fault in synthetic.Faults.Where(f => Affects(request.MaskHash, f, run)))
        {
            switch (fault.Kind)
            {
                case SyntheticFaultKind.Hang:
                    cancellationToken.WaitHandle.WaitOne();
                    return Failed(slot, started, "evaluation cancelled while hanging (synthetic hang)");
                case SyntheticFaultKind.Crash:
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"synthetic crash of mask {request.MaskHash[..12]} (run {run} on this silo)"));
                case SyntheticFaultKind.OutOfMemory:
                    return Failed(slot, started, string.Create(CultureInfo.InvariantCulture, $"CUDA out of memory (synthetic, run {run} on this silo)"));
            }
        }

        return null;
    }

    /// <summary>
    /// A lower rung of a fidelity ladder recovers less: 0 at the top rung, up to 1 at a rung with no fine-tuning. The synthetic
    /// model loses up to 10 % of its accuracy and runs that much shorter, so lower rungs are cheaper and rank masks alike.
    /// </summary>
    public static double RecoveryShortfall(EvaluationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Fidelity is not { } rung)
        {
            return 0;
        }

        var top = request.Spec.Search.Fidelities![^1].FineTuneSteps;
        return top <= 0 ? 0 : Math.Clamp(1 - ((double)rung.FineTuneSteps / top), 0, 1);
    }

    /// <summary>Deterministic duration in [Duration, DurationSpread x Duration], from the mask hash.</summary>
    public static TimeSpan DurationFor(string maskHash, SyntheticSettings settings)
    {
        ArgumentNullException.ThrowIfNull(maskHash);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.DurationSpread <= 1)
        {
            return settings.Duration;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("duration|" + maskHash));
        var unit = (BinaryPrimitives.ReadUInt64LittleEndian(digest) >> 11) * (1.0 / (1UL << 53));
        return settings.Duration * (1 + ((settings.DurationSpread - 1) * unit));
    }

    /// <summary>Whether <paramref name="fault"/> hits this mask on its <paramref name="run"/>-th run on this silo (deterministic, from the mask hash).</summary>
    public static bool Affects(string maskHash, SyntheticFault fault, int run)
    {
        ArgumentNullException.ThrowIfNull(maskHash);
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.AttemptsPerSilo > 0 && run > fault.AttemptsPerSilo)
        {
            return false;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("fault|" + maskHash));
        var unit = (BinaryPrimitives.ReadUInt64LittleEndian(digest) >> 11) * (1.0 / (1UL << 53));
        return unit < fault.MaskFraction;
    }

    private static string SegmentName(int index) => string.Create(CultureInfo.InvariantCulture, $"layer{index}");

    private EvaluationOutcome Failed(SlotContext slot, DateTimeOffset started, string reason) =>
        EvaluationOutcome.Failure(reason, slot.Silo, slot.Device) with { StartedAt = started, CompletedAt = time.GetUtcNow() };

    private static double[] UnitWeights(string model, int segment, int bits)
    {
        var weights = new double[bits];
        var seed = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"synthetic-weights|{model}|{segment}"));
        var digest = SHA256.HashData(seed);
        for (var i = 0; i < bits; i++)
        {
            if (i % 4 == 0 && i > 0)
            {
                digest = SHA256.HashData(digest);
            }

            var raw = BinaryPrimitives.ReadUInt64LittleEndian(digest.AsSpan((i % 4) * 8, 8));
            var unit = (raw >> 11) * (1.0 / (1UL << 53));
            weights[i] = 0.05 + (unit * unit * 2);
        }

        return weights;
    }

    /// <summary>The metric model: importance-weighted kept mass drives accuracy; densities of adjacent segments drive cost.</summary>
    public static Dictionary<string, double> Metrics(string model, IReadOnlyList<bool[]> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        double keptMass = 0, totalMass = 0, keptUnits = 0, totalUnits = 0;
        var densities = new double[bits.Count];
        for (var s = 0; s < bits.Count; s++)
        {
            var weights = UnitWeights(model, s, bits[s].Length);
            var kept = 0;
            for (var i = 0; i < bits[s].Length; i++)
            {
                totalMass += weights[i];
                if (bits[s][i])
                {
                    keptMass += weights[i];
                    kept++;
                }
            }

            densities[s] = bits[s].Length == 0 ? 1 : (double)kept / bits[s].Length;
            keptUnits += kept;
            totalUnits += bits[s].Length;
        }

        var importance = totalMass == 0 ? 1 : keptMass / totalMass;
        var accuracy = BaselineAccuracy * (1 - Math.Exp(-5 * importance)) / (1 - Math.Exp(-5));
        double macsFraction = 0, paramsFraction = 0;
        for (var s = 0; s < densities.Length; s++)
        {
            var input = s == 0 ? 1 : densities[s - 1];
            macsFraction += input * densities[s] / densities.Length;
            paramsFraction += (0.5 * densities[s] + 0.5 * input * densities[s]) / densities.Length;
        }

        var macs = Math.Round(BaselineMacs * macsFraction);
        var parameters = Math.Round(BaselineParams * paramsFraction);
        var latency = 0.2 + (5 * macsFraction);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.AccuracyDrop] = (BaselineAccuracy - accuracy) * 100,
            [MetricNames.MacroF1] = Math.Max(0, accuracy - 0.01),
            [MetricNames.Macs] = macs,
            [MetricNames.Flops] = 2 * macs,
            [MetricNames.Params] = parameters,
            [MetricNames.SizeBytes] = 4 * parameters,
            [MetricNames.LatencyMs] = latency,
            [MetricNames.Throughput] = 64 * 1000 / latency,
            [MetricNames.PeakMemoryBytes] = 1_000_000 + (8 * parameters),
            [MetricNames.EnergyMj] = 0.1 + (2 * macsFraction),
            [MetricNames.KeptFraction] = totalUnits == 0 ? 1 : keptUnits / totalUnits,
        };
    }
}
