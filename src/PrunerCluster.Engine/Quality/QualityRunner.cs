using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Quality;

/// <summary>
/// Runs the quality benchmark: for every seed, the same budget of evaluated masks for each method: NSGA-II through the real
/// grains (steady-state, one arm per encoding), random channel masks at spread densities, uniform per-layer pruning (the importance order) at
/// 10..90 %, and NSGA-II's generation 0 alone; then the same final recovery of each method's cheapest near-lossless front
/// members and of the unpruned model.
/// </summary>
public sealed class QualityRunner(QualityOptions options, TextWriter output)
{
    public const string Random = "random";
    public const string Uniform = "uniform";
    public const string Generation0 = "generation0";
    public const string Slimming = "slimming";
    public const string Lamp = "lamp";

    /// <summary>The one-rule baselines: random masks, uniform pruning, a global importance threshold and LAMP.</summary>
    public static bool IsBaseline(string method) => method is Random or Uniform or Slimming or Lamp;

    private readonly TorchSharpEvaluationBackend _backend = new(
        Options.Create(options.CacheDirectory is { } cache
            ? new TorchSharpBackendOptions { Threads = options.Threads, CheckpointCacheDirectory = cache }
            : new TorchSharpBackendOptions { Threads = options.Threads }),
        TimeProvider.System,
        NullLogger<TorchSharpEvaluationBackend>.Instance);

    private const string NsgaPrefix = "nsga2-";

    /// <summary>The arm's name with its variant: <c>nsga2-keepRatio</c>, <c>nsga2-keepRatio-accuracy+macs-drop10</c>.</summary>
    public static string NsgaArm(string encoding, QualityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = NsgaPrefix + encoding;
        if (options.NsgaObjectives is { } objectives)
        {
            name += "-" + string.Join("+", objectives);
        }

        if (options.NsgaMaxDrop is { } drop)
        {
            name += "-drop" + drop.ToString("G", CultureInfo.InvariantCulture);
        }

        return options.Ladder is { Count: 1 } single ? name + "-single" + single[0].FineTuneSteps.ToString(CultureInfo.InvariantCulture) : name;
    }

    public static bool IsNsgaArm(string method) => method.StartsWith(NsgaPrefix, StringComparison.Ordinal);

    public Task<IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)>> RunAsync(CancellationToken ct) => RunAsync(null, ct);

    /// <summary>Runs every seed; <paramref name="seedDone"/> gets the results so far after each seed (a long run keeps its finished seeds).</summary>
    public async Task<IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)>> RunAsync(Action<IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)>>? seedDone, CancellationToken ct)
    {
        var results = new List<(ulong, QualityReference, IReadOnlyList<MethodRun>)>();
        foreach (var seed in options.Seeds)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quality: seed {seed}, {options.Budget} evaluated masks per method"));
            var reference = await OnThread(() => Reference(seed, ct), ct).ConfigureAwait(false);
            var runs = new List<MethodRun>();
            foreach (var encoding in options.Encodings)
            {
                RestoreKernels(NsgaArm(encoding, options));
                _backend.Host.Teachers.Clear();
                runs.Add(await NsgaAsync(seed, encoding, reference, ct).ConfigureAwait(false));
            }

            var direct = options.NsgaOnly ? [] : options.IsLadder ? new[] { Uniform, Slimming, Lamp } : new[] { Random, Uniform, Slimming, Lamp, Generation0 };
            var count = options.Budget;
            if (options.IsLadder && direct.Length > 0 && runs.Count > 0)
            {
                var target = runs.Max(r => r.ComputeForwardEquivalent);
                count = await OnThread(() => EqualComputeCount(seed, target, ct), ct).ConfigureAwait(false);
            }

            foreach (var method in direct)
            {
                RestoreKernels(method);
                _backend.Host.Teachers.Clear();
                runs.Add(await OnThread(() => Direct(method, seed, reference, count, ct), ct).ConfigureAwait(false));
            }
            results.Add((seed, reference, runs));
            seedDone?.Invoke(results);
        }

        return results;
    }

    /// <summary>
    /// Each arm starts on oneDNN: a fault in one arm (exact channel counts on a host whose oneDNN faults) would otherwise
    /// leave every later arm padding channel counts or on the native kernels (up to 3x slower), so wall times would depend on the order of the arms.
    /// </summary>
    private void RestoreKernels(string arm)
    {
        if (Pruning.ConvolutionBackend.Process.RestoreAfterFault() is { } reason)
        {
            output.WriteLine($"  {arm}: convolutions back on plain oneDNN ({reason})");
        }
    }

    /// <summary>The spec every method shares; only the encoding differs between arms.</summary>
    public ExperimentSpec Spec(ulong seed, string encoding) => new()
    {
        Name = "quality-" + encoding,
        Backend = TorchSharpEvaluationBackend.BackendName,
        Model = options.Model,
        Dataset = options.Dataset,
        DataRoot = options.DataRoot,
        Baseline = new BaselineSettings { Epochs = options.BaselineEpochs, Seed = 1, CacheDirectory = options.CacheDirectory, MaxTrainSamples = options.BaselineTrainSamples },
        Objectives =
        [
            new(MetricNames.Accuracy, ObjectiveDirection.Maximize),
            new(MetricNames.Macs, ObjectiveDirection.Minimize),
            new(MetricNames.LatencyMs, ObjectiveDirection.Minimize),
        ],
        Search = new SearchSettings { PopulationSize = Math.Clamp(options.Budget / 3, 4, 20), Mode = SearchMode.SteadyState, Seed = seed, Encoding = encoding },
        Budget = new BudgetSettings { MaxEvaluations = options.Budget },
        Evaluation = new EvaluationSettingsSpec
        {
            FineTuneSteps = options.SearchSteps,
            ValidationSamples = options.ValidationSamples,
            EnergyWindow = 0,
            LatencyRuns = options.LatencyRuns,
            LatencyMaxSeconds = options.LatencyMaxSeconds,
            Seed = seed,
            Threads = options.Threads,
        },
        FinalRecovery = new FinalRecoverySettings { FineTuneSteps = options.RecoverySteps, MaxMembers = options.RecoverMembers, MaxDropPoints = options.RecoverWithinPoints },
    };

    /// <summary>The NSGA-II arm's spec: <see cref="Spec"/> with the arm variant's objectives and constraint.</summary>
    public ExperimentSpec NsgaSpec(ulong seed, string encoding)
    {
        var spec = Spec(seed, encoding);
        if (options.Ladder is { Count: > 1 } ladder)
        {
            spec = spec with { Search = spec.Search with { Fidelities = ladder } };
        }

        if (options.NsgaObjectives is { } objectives)
        {
            spec = spec with { Objectives = [.. spec.Objectives.Where(o => objectives.Contains(o.Metric, StringComparer.Ordinal))] };
        }

        return options.NsgaMaxDrop is { } drop
            ? spec with { Constraints = [new ConstraintDefinition(MetricNames.AccuracyDrop, ConstraintOperator.LessOrEqual, drop)] }
            : spec;
    }

    private QualityReference Reference(ulong seed, CancellationToken ct)
    {
        var spec = Spec(seed, GenomeEncodings.KeepRatio);
        var full = Genome.Full(_backend.LayoutOf(spec, ct)).ToCanonicalString();
        var validation = _backend.EvaluateMask(spec, full, s => s with { FineTuneSteps = 0 }, null, ct);
        var recovered = _backend.Recover(spec, full, null, ct);
        if (!validation.Succeeded || !recovered.Succeeded)
        {
            throw new InvalidOperationException($"the unpruned model could not be evaluated: {validation.FailureReason ?? recovered.FailureReason}");
        }

        var reference = new QualityReference(
            validation.Metric(MetricNames.Accuracy),
            validation.Metric(MetricNames.Macs),
            validation.Metric(MetricNames.LatencyMs),
            recovered.Metric(MetricNames.Accuracy),
            recovered.Metric(MetricNames.LatencyMs));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unpruned: validation {reference.ValidationAccuracy:P2}, {reference.Macs:N0} MACs, {reference.LatencyMs:F2} ms; after {options.RecoverySteps} recovery steps: test {reference.TestAccuracyRecovered:P2}"));
        return reference;
    }

    private async Task<MethodRun> NsgaAsync(ulong seed, string encoding, QualityReference reference, CancellationToken ct)
    {
        var spec = NsgaSpec(seed, encoding);
        var arm = NsgaArm(encoding, options);
        var clock = Stopwatch.StartNew();
        List<QualityPoint> points;
        IReadOnlyList<ParetoEntry> entries;
        (double Train, double Forward) compute;
        await using (var cluster = await EmbeddedCluster.StartAsync(options.Slots, verbose: false, null, ct, services: _backend.Host).ConfigureAwait(false))
        {
            var submission = await cluster.Grains.SubmitExperimentAsync(spec).ConfigureAwait(false);
            if (!submission.Accepted || submission.ExperimentId is null)
            {
                throw new InvalidOperationException("the NSGA-II spec was rejected: " + string.Join("; ", submission.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            var status = await cluster.Grains.WaitForExperimentAsync(submission.ExperimentId, TimeSpan.FromSeconds(1), cancellationToken: ct).ConfigureAwait(false);
            var experiment = cluster.Grains.GetExperiment(submission.ExperimentId);
            var ledger = await experiment.GetEvaluations().ConfigureAwait(false);
            var pareto = await experiment.GetParetoSet().ConfigureAwait(false);
            var masks = pareto.Entries.ToDictionary(e => e.MaskHash, e => e.MaskText, StringComparer.Ordinal);
            entries = pareto.Entries;
            var computed = ledger.Where(r => !r.FromCache).ToList();
            compute = (computed.Sum(r => r.Metrics.GetValueOrDefault(MetricNames.ComputeTrainSamples)), computed.Sum(r => r.Metrics.GetValueOrDefault(MetricNames.ComputeForwardSamples)));
            var records = options.IsLadder ? HighestRung(ledger) : ledger;
            points = [.. records.Select(r => Point(r.MaskHash, masks.GetValueOrDefault(r.MaskHash, ""), r.Succeeded, r.Metrics, r.FailureReason))];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {arm}: {status.State}, {points.Count} evaluated in {clock.Elapsed.TotalSeconds:F0} s{Failures(points)}"));
        }

        var searchSeconds = clock.Elapsed.TotalSeconds;
        return await OnThread(() => Finish(arm, seed, spec, points, reference, searchSeconds, compute, entries, ct), ct).ConfigureAwait(false);
    }

    /// <summary>Each mask's result at its highest rung (a failed one only when the mask has no success).</summary>
    private static IEnumerable<EvaluationRecord> HighestRung(IEnumerable<EvaluationRecord> ledger) =>
        ledger.GroupBy(r => r.MaskHash, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.Succeeded).ThenByDescending(r => r.Metrics.GetValueOrDefault(MetricNames.FidelityRung)).ThenBy(r => r.CandidateId).First());

    /// <summary>
    /// How many masks each baseline gets at the ladder's top rung so that its compute (forward-equivalent samples) is at
    /// least <paramref name="target"/>. Every arm starts with no teacher logits and pays for those its fine-tunings read,
    /// so two probe evaluations of uniform masks, the first with no teacher logits and the second reading the first's,
    /// give the cost of one baseline mask and the arm's one-off teacher cost (the sample counts do not depend on the mask).
    /// </summary>
    private int EqualComputeCount(ulong seed, double target, CancellationToken ct)
    {
        var spec = Spec(seed, GenomeEncodings.ChannelBits);
        var masks = UniformMasks(spec, 2, ct);
        _backend.Host.Teachers.Clear();
        var cold = ForwardEquivalent(_backend.EvaluateMask(spec, masks[0], null, null, ct));
        var each = ForwardEquivalent(_backend.EvaluateMask(spec, masks[1], null, null, ct));
        var teacher = Math.Max(0, cold - each);
        var count = each > 0 ? Math.Max(2, (int)Math.Ceiling((target - teacher) / each)) : options.Budget;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  equal compute: the NSGA-II arm spent {target / 1e6:F2} M forward-equivalent samples; a baseline mask at {options.SearchSteps} steps costs {each / 1e6:F3} M and the teacher's logits it reads {teacher / 1e6:F3} M once per arm, so each baseline gets {count} masks"));
        return count;
    }

    private static double ForwardEquivalent(Pruning.Evaluation.EvaluationResult probe) =>
        MethodRun.ForwardEquivalent(probe.Metrics.GetValueOrDefault(MetricNames.ComputeTrainSamples), probe.Metrics.GetValueOrDefault(MetricNames.ComputeForwardSamples));

    private MethodRun Direct(string method, ulong seed, QualityReference reference, int count, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (spec, points) = EvaluateDirect(method, seed, ct, count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {method}: {points.Count} evaluated in {clock.Elapsed.TotalSeconds:F0} s{Failures(points)}"));
        var compute = (points.Sum(p => p.TrainSamples), points.Sum(p => p.ForwardSamples));
        return Finish(method, seed, spec, [.. points], reference, clock.Elapsed.TotalSeconds, compute, null, ct);
    }

    /// <summary>
    /// The masks of one direct arm (<see cref="Random"/>, <see cref="Uniform"/> or <see cref="Generation0"/>), each
    /// evaluated outside the grains with the search-time recovery, and the spec they were evaluated under. Synchronous
    /// and TorchSharp-bound: call it on a dedicated thread.
    /// </summary>
    public (ExperimentSpec Spec, IReadOnlyList<QualityPoint> Points) EvaluateDirect(string method, ulong seed, CancellationToken ct, int? count = null)
    {
        var n = count ?? options.Budget;
        var (encoding, masks) = method switch
        {
            Random => (GenomeEncodings.ChannelBits, (Func<ExperimentSpec, ulong, CancellationToken, IReadOnlyList<string>>)((spec, s, token) => RandomMasks(spec, s, n, token))),
            Uniform => (GenomeEncodings.ChannelBits, (spec, _, token) => UniformMasks(spec, n, token)),
            Generation0 => (GenomeEncodings.KeepRatio, (spec, _, token) => Generation0Masks(spec, n, token)),
            Slimming => (GenomeEncodings.KeepRatio, (spec, _, token) => RuleMasks(spec, PruningRule.GlobalThreshold, n, token)),
            Lamp => (GenomeEncodings.KeepRatio, (spec, _, token) => RuleMasks(spec, PruningRule.Lamp, n, token)),
            _ => throw new ArgumentException($"unknown direct arm '{method}'; expected {Random}, {Uniform}, {Slimming}, {Lamp} or {Generation0}", nameof(method)),
        };
        var spec = Spec(seed, encoding);
        var layout = _backend.LayoutOf(spec, ct);
        var points = new List<QualityPoint>();
        foreach (var text in masks(spec, seed, ct))
        {
            var result = _backend.EvaluateMask(spec, text, null, null, ct);
            points.Add(Point(Evolution.Genome.Parse(layout, text).ContentHash, text, result.Succeeded, result.Metrics, result.FailureReason));
        }

        return (spec, points);
    }

    private static string Failures(IReadOnlyList<QualityPoint> points) =>
        points.Where(p => !p.Succeeded).Select(p => p.FailureReason ?? "missing metrics").ToList() is { Count: > 0 } reasons
            ? string.Create(CultureInfo.InvariantCulture, $"; {reasons.Count} FAILED: {string.Join("; ", reasons.Distinct(StringComparer.Ordinal))}")
            : "";

    private MethodRun Finish(string method, ulong seed, ExperimentSpec spec, List<QualityPoint> points, QualityReference reference, double searchSeconds, (double Train, double Forward) compute, IReadOnlyList<ParetoEntry>? pareto, CancellationToken ct)
    {
        var chosen = options.IsLadder ? RecoveryChoice.Product(spec, points, reference, pareto) : RecoveryChoice.Cheapest(points, reference, options);
        var clock = Stopwatch.StartNew();
        var recovered = new List<RecoveredPoint>();
        foreach (var (hash, text) in chosen)
        {
            var result = _backend.Recover(spec, text, null, ct);
            if (result.Succeeded)
            {
                recovered.Add(new RecoveredPoint(hash, result.Metric(MetricNames.Accuracy), result.Metric(MetricNames.Macs), result.Metric(MetricNames.LatencyMs), result.Metrics.GetValueOrDefault(MetricNames.LatencyCiPercent, double.NaN)));
            }
        }

        var run = QualityMetrics.Scored(new MethodRun { Method = method, Seed = seed, Points = points }, reference) with
        {
            Recovered = recovered,
            MacReductionWithin05 = QualityMetrics.BestReduction(recovered.Select(r => (r.TestAccuracy, r.Macs)), reference.TestAccuracyRecovered, reference.Macs, 0.5),
            MacReductionWithin10 = QualityMetrics.BestReduction(recovered.Select(r => (r.TestAccuracy, r.Macs)), reference.TestAccuracyRecovered, reference.Macs, 1.0),
            LatencySpeedupWithin05 = QualityMetrics.BestReduction(recovered.Select(r => (r.TestAccuracy, r.LatencyMs)), reference.TestAccuracyRecovered, reference.TestLatencyMs, 0.5),
            LatencySpeedupWithin10 = QualityMetrics.BestReduction(recovered.Select(r => (r.TestAccuracy, r.LatencyMs)), reference.TestAccuracyRecovered, reference.TestLatencyMs, 1.0),
            SearchSeconds = searchSeconds,
            RecoverySeconds = clock.Elapsed.TotalSeconds,
            Failed = points.Count(p => !p.Succeeded),
            ComputeTrainSamples = compute.Train,
            ComputeForwardSamples = compute.Forward,
            HypervolumeRecovered = options.IsLadder ? QualityMetrics.RecoveredHypervolume(recovered, reference) : null,
        };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {method}: HV(MACs) {run.HypervolumeMacs:F4}, HV(latency) {run.HypervolumeLatency:F4}, HV(MACs, latency) {run.HypervolumeAll:F4}; recovered {recovered.Count}: best MAC reduction {run.MacReductionWithin10:F2}x within 1.0 pt, latency speed-up {run.LatencySpeedupWithin10:F2}x ({run.RecoverySeconds:F0} s)"));
        return run;
    }

    private IReadOnlyList<string> RandomMasks(ExperimentSpec spec, ulong seed, int count, CancellationToken ct)
    {
        var layout = _backend.LayoutOf(spec, ct);
        var problem = new Problem(layout, [new ObjectiveSpec(MetricNames.Accuracy, Direction.Maximize)]);
        var random = new RandomSource(seed ^ 0x5EED0F7A4DUL);
        return [.. Spread(count).Select(d => problem.Repair(RandomInitialization.Create(layout, d, random)).ToCanonicalString())];
    }

    private IReadOnlyList<string> UniformMasks(ExperimentSpec spec, int count, CancellationToken ct)
    {
        var importance = _backend.PrepareCached(spec, ct).SegmentImportance ?? throw new InvalidOperationException("the backend gave no importance order");
        var layout = _backend.LayoutOf(spec, ct);
        return [.. Spread(count).Select(keep => MagnitudeMasks.Uniform(layout, importance, keep).ToCanonicalString())];
    }

    /// <summary>A rule's masks at global keep ratios spread over [0.1, 0.9]; distinct only (neighbouring ratios can round to the same levels).</summary>
    private IReadOnlyList<string> RuleMasks(ExperimentSpec spec, PruningRule rule, int count, CancellationToken ct)
    {
        var prepared = _backend.PrepareCached(spec, ct);
        var importance = prepared.SegmentImportance ?? throw new InvalidOperationException("the backend gave no importance order");
        var fractions = EvolutionMapping.Settings(spec, prepared).LevelKeepFractions ?? throw new InvalidOperationException("the keepRatio encoding gave no keep fractions");
        var layout = _backend.LayoutOf(spec, ct);
        return [.. Spread(count).Select(keep => RuleInitialization.Create(layout, importance, rule, keep, fractions).ToCanonicalString()).Distinct(StringComparer.Ordinal)];
    }

    private IReadOnlyList<string> Generation0Masks(ExperimentSpec spec, int count, CancellationToken ct)
    {
        // The first population the NSGA-II arm starts from (the search's own seeding), grown to the full budget.
        var prepared = _backend.PrepareCached(spec, ct);
        var settings = EvolutionMapping.Settings(spec, prepared) with
        {
            PopulationSize = count,
            Termination = new TerminationSpec { MaxEvaluations = count },
        };
        var engine = Nsga2.Create(EvolutionMapping.Problem(spec, prepared), settings);
        return [.. engine.Ask(count).Select(c => c.Genome.ToCanonicalString())];
    }

    /// <summary>Budget values spread evenly over [0.1, 0.9].</summary>
    public static IReadOnlyList<double> Spread(int count) =>
        count == 1 ? [0.5] : [.. Enumerable.Range(0, count).Select(i => 0.1 + (0.8 * i / (count - 1)))];

    private static QualityPoint Point(string hash, string text, bool succeeded, IReadOnlyDictionary<string, double> metrics, string? failure = null) =>
        new(
            text,
            hash,
            metrics.GetValueOrDefault(MetricNames.Accuracy, double.NaN),
            metrics.GetValueOrDefault(MetricNames.Macs, double.NaN),
            metrics.GetValueOrDefault(MetricNames.LatencyMs, double.NaN),
            succeeded && metrics.ContainsKey(MetricNames.Accuracy) && metrics.ContainsKey(MetricNames.Macs) && metrics.ContainsKey(MetricNames.LatencyMs),
            succeeded ? null : failure ?? "failed",
            metrics.GetValueOrDefault(MetricNames.ComputeTrainSamples),
            metrics.GetValueOrDefault(MetricNames.ComputeForwardSamples),
            (int)metrics.GetValueOrDefault(MetricNames.FidelityRung));

    private static Task<T> OnThread<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
