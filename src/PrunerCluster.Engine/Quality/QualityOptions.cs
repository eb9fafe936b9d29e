using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Quality;

/// <summary>
/// Settings of the <c>quality</c> benchmark. Every method gets the same budget of evaluated masks, the same search-time
/// recovery (<see cref="FineTuneSteps"/>) and the same final recovery (<see cref="RecoverySteps"/>). Defaults are the
/// documented default run; <see cref="Quick"/> is a minutes-long smoke run of the same pipeline.
/// </summary>
public sealed record QualityOptions
{
    public string Model { get; init; } = "vgg";

    public string Dataset { get; init; } = DatasetCatalogNames.FashionMnist;

    public string? DataRoot { get; init; }

    /// <summary>Evaluated masks per method and seed.</summary>
    public int Budget { get; init; } = 32;

    public IReadOnlyList<ulong> Seeds { get; init; } = [1, 2];

    /// <summary>Genome encodings of the NSGA-II arms (each one an arm of its own).</summary>
    public IReadOnlyList<string> Encodings { get; init; } = [GenomeEncodings.KeepRatio];

    public int BaselineEpochs { get; init; } = 2;

    public int? BaselineTrainSamples { get; init; }

    public int FineTuneSteps { get; init; } = 100;

    /// <summary>
    /// The NSGA-II arms' fidelity ladder (<c>--ladder 0:1000,100,300</c>); null = one fidelity of <see cref="FineTuneSteps"/>.
    /// With a ladder the run compares at equal compute: every baseline mask gets the top rung's steps, each baseline gets
    /// as many masks as the NSGA-II arm's compute pays for, and every method's front goes through the product's own
    /// final-recovery selection, scored after recovery on the test set.
    /// </summary>
    public IReadOnlyList<FidelityRung>? Ladder { get; init; }

    /// <summary>
    /// Equal-compute mode (<c>--ladder</c> given): one rung runs the NSGA-II arm at one fidelity of that many steps, as a
    /// reference for the ladder's savings; two or more give it the ladder.
    /// </summary>
    public bool IsLadder => Ladder is { Count: > 0 };

    /// <summary>Fine-tune steps of a baseline mask: the ladder's top rung, else <see cref="FineTuneSteps"/>.</summary>
    public int SearchSteps => IsLadder ? Ladder![^1].FineTuneSteps : FineTuneSteps;

    public int ValidationSamples { get; init; } = 2000;

    public int RecoverySteps { get; init; } = 600;

    /// <summary>Fewest timed passes per model (more follow until the median is within +-3 %).</summary>
    public int LatencyRuns { get; init; } = 20;

    /// <summary>Cap on timing seconds per model.</summary>
    public double LatencyMaxSeconds { get; init; } = 8;

    /// <summary>Front members recovered per method and seed (cheapest in MACs among those within <see cref="RecoverWithinPoints"/> of the unpruned validation accuracy).</summary>
    public int RecoverMembers { get; init; } = 3;

    public double RecoverWithinPoints { get; init; } = 2.0;

    public int Slots { get; init; } = 1;

    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Baseline checkpoint cache; null = the backend's default (shared with <c>search</c>).</summary>
    public string? CacheDirectory { get; init; }

    public string OutDirectory { get; init; } = Path.Combine(".prunercluster", "quality");

    public bool IsQuick { get; init; }

    /// <summary>Only the NSGA-II arms (one per encoding); the direct arms are skipped.</summary>
    public bool NsgaOnly { get; init; }

    /// <summary>
    /// A search constraint for the NSGA-II arms: validation accuracy drop at most this many points (as the main job's
    /// <c>accuracy_drop &lt;= 5</c>); null = unconstrained. The direct arms are unaffected; the arms' names carry it.
    /// </summary>
    public double? NsgaMaxDrop { get; init; }

    /// <summary>The NSGA-II arms' objectives (accuracy and at least one cost); null = accuracy, MACs and latency.</summary>
    public IReadOnlyList<string>? NsgaObjectives { get; init; }

    /// <summary>The metrics <see cref="NsgaObjectives"/> may name.</summary>
    public static IReadOnlyList<string> ObjectiveChoices { get; } = [MetricNames.Accuracy, MetricNames.Macs, MetricNames.LatencyMs];

    /// <summary>An earlier run's quality.json to re-score (<see cref="QualityRescore"/>) instead of running anything.</summary>
    public string? RescoreFrom { get; init; }

    /// <summary>A smoke run of the whole pipeline: tiny baseline, 6 masks per method, one seed, short recoveries.</summary>
    public static QualityOptions Quick { get; } = new()
    {
        Budget = 6,
        Seeds = [1],
        BaselineEpochs = 1,
        BaselineTrainSamples = 4096,
        FineTuneSteps = 10,
        ValidationSamples = 500,
        RecoverySteps = 30,
        LatencyRuns = 5,
        LatencyMaxSeconds = 3,
        RecoverMembers = 2,
        RecoverWithinPoints = 5.0,
        IsQuick = true,
        OutDirectory = Path.Combine(".prunercluster", "quality-quick"),
    };

    public const string Usage = "quality [--quick] [--nsga-only] [--model vgg|resnet] [--ladder 0:1000,100,300] [--recover-within POINTS] [--budget N] [--seeds 1,2] [--encodings keepRatio,channelBits,hybrid] [--fine-tune-steps N] [--recovery-steps N] [--latency-runs N] [--recover-members N] [--validation-samples N] [--baseline-epochs N] [--slots N] [--threads N] [--nsga-max-drop POINTS] [--nsga-objectives accuracy,macs] [--cache DIR] [--out DIR] [--rescore quality.json[,quality.json...]]";

    /// <summary>Applies the explicitly given values over the quick or default run.</summary>
    internal static QualityOptions From(bool quick, IReadOnlyDictionary<string, int?> numbers, string? seeds, string? encodings, string? cache, string? outDirectory)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var o = quick ? Quick : new QualityOptions();
        int N(string name, int fallback, int min)
        {
            var value = numbers.TryGetValue(name, out var v) && v is { } given ? given : fallback;
            return value >= min ? value : throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be at least {min}, got {value}"));
        }

        o = o with
        {
            Budget = N("budget", o.Budget, 2),
            FineTuneSteps = N("fine-tune-steps", o.FineTuneSteps, 0),
            RecoverySteps = N("recovery-steps", o.RecoverySteps, 0),
            LatencyRuns = N("latency-runs", o.LatencyRuns, 1),
            RecoverMembers = N("recover-members", o.RecoverMembers, 1),
            ValidationSamples = N("validation-samples", o.ValidationSamples, 1),
            BaselineEpochs = N("baseline-epochs", o.BaselineEpochs, 1),
            Slots = N("slots", o.Slots, 1),
            Threads = N("threads", o.Threads, 1),
            CacheDirectory = cache ?? o.CacheDirectory,
            OutDirectory = outDirectory ?? o.OutDirectory,
        };
        if (seeds is not null)
        {
            o = o with { Seeds = [.. seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseSeed)] };
        }

        if (encodings is not null)
        {
            o = o with
            {
                Encodings = [.. encodings.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(e => GenomeEncodings.Canonical(e) ?? throw new CliException($"--encodings: unknown encoding '{e}'; expected {string.Join(", ", GenomeEncodings.All)}"))
                    .Distinct(StringComparer.Ordinal)],
            };
        }

        if (o.Seeds.Count == 0 || o.Encodings.Count == 0)
        {
            throw new CliException("--seeds and --encodings need at least one value each");
        }

        return o;
    }

    /// <summary>Applies the NSGA-II arm variant (<c>--nsga-max-drop</c>, <c>--nsga-objectives</c>), checked.</summary>
    internal QualityOptions WithNsgaVariant(double? maxDrop, string? objectives)
    {
        if (maxDrop is { } drop && !(drop > 0 && double.IsFinite(drop)))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--nsga-max-drop must be a number of accuracy points > 0, got {drop}"));
        }

        IReadOnlyList<string>? metrics = null;
        if (objectives is not null)
        {
            var names = objectives.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            if (names.FirstOrDefault(n => !ObjectiveChoices.Contains(n, StringComparer.Ordinal)) is { } unknown)
            {
                throw new CliException($"--nsga-objectives: unknown metric '{unknown}'; expected {string.Join(", ", ObjectiveChoices)}");
            }

            if (!names.Contains(MetricNames.Accuracy, StringComparer.Ordinal) || names.Count < 2)
            {
                throw new CliException($"--nsga-objectives must name {MetricNames.Accuracy} and at least one of {MetricNames.Macs}, {MetricNames.LatencyMs}; got '{objectives}'");
            }

            metrics = [.. ObjectiveChoices.Where(names.Contains)];
        }

        return this with { NsgaMaxDrop = maxDrop, NsgaObjectives = metrics };
    }

    /// <summary>Applies <c>--model</c>, <c>--ladder</c> and <c>--recover-within</c>, checked.</summary>
    internal QualityOptions WithLadder(string? model, string? ladder, double? recoverWithin)
    {
        var o = this;
        if (model is not null)
        {
            o = o with { Model = model.Trim().Length > 0 ? model.Trim() : throw new CliException("--model needs a model name, e.g. vgg or resnet") };
        }

        if (recoverWithin is { } within)
        {
            o = o with { RecoverWithinPoints = within > 0 && double.IsFinite(within) ? within : throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--recover-within must be a number of accuracy points > 0, got {within}")) };
        }

        return ladder is null ? o : o with { Ladder = ParseLadder(ladder) };
    }

    /// <summary>Parses <c>STEPS[:VALIDATION_SAMPLES],...</c>, cheapest rung first, steps strictly increasing.</summary>
    public static IReadOnlyList<FidelityRung> ParseLadder(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rungs = new List<FidelityRung>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(':');
            if (pieces.Length > 2
                || !int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var steps)
                || (rungs.Count > 0 && steps <= rungs[^1].FineTuneSteps))
            {
                throw new CliException($"--ladder: rung '{part}' is not STEPS[:VALIDATION_SAMPLES] with steps above the previous rung's; expected e.g. 0:1000,100,300");
            }

            int? samples = null;
            if (pieces.Length == 2)
            {
                samples = int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new CliException($"--ladder: rung '{part}' has validation samples '{pieces[1]}'; expected a positive integer");
            }

            rungs.Add(new FidelityRung { FineTuneSteps = steps, ValidationSamples = samples });
        }

        return rungs.Count >= 1 ? rungs : throw new CliException($"--ladder needs at least one rung, got '{text}'; expected e.g. 0:1000,100,300 (or 300: one fidelity)");
    }

    private static ulong ParseSeed(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new CliException($"--seeds expects comma-separated non-negative integers, got '{text}'");
}

/// <summary>Data set names used by the benchmark (kept here so the CLI does not reach into the engine for one constant).</summary>
internal static class DatasetCatalogNames
{
    public const string FashionMnist = "fashion-mnist";
}
