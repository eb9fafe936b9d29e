using System.Globalization;
using System.Text;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Options of the <c>scale</c> benchmark (<see cref="ScaleSuite"/>) and the pure arithmetic and formatting of its report,
/// kept apart from the processes so a unit test can check both without starting anything.
/// </summary>
internal sealed record ScaleOptions
{
    public const string Usage =
        "scale [--silos N (8)] [--slots S per silo (32)] [--weights 1,1,2,4] [--eval-seconds D (2)] [--warmup S (20)] [--seconds S (60)]\n" +
        "      [--zero-seconds S (30)] [--zero-warmup S (10)] [--kill K silos (2; 0 = no kill phase)] [--kill-run S (40)] [--population P (16)]\n" +
        "      [--phases util,zero,kill] [--no-fsync] [--quick]";

    public static readonly IReadOnlyList<string> AllPhases = ["util", "zero", "kill"];

    public int Silos { get; init; } = 8;

    public int SlotsPerSilo { get; init; } = 32;

    public IReadOnlyList<double> Weights { get; init; } = [1, 1, 2, 4];

    /// <summary>Evaluation time of the utilization and kill phases (the zero phase evaluates in no time).</summary>
    public double EvalSeconds { get; init; } = 2;

    public double WarmupSeconds { get; init; } = 20;

    /// <summary>Measured window of the utilization phase.</summary>
    public double Seconds { get; init; } = 60;

    public double ZeroWarmupSeconds { get; init; } = 10;

    public double ZeroSeconds { get; init; } = 30;

    /// <summary>Silos killed with SIGKILL in the kill phase.</summary>
    public int Kill { get; init; } = 2;

    /// <summary>The kill phase's budgets: what the whole cluster would evaluate in this many seconds at full utilization.</summary>
    public double KillRunSeconds { get; init; } = 40;

    public int Population { get; init; } = 16;

    public bool Fsync { get; init; } = true;

    public IReadOnlyList<string> Phases { get; init; } = AllPhases;

    public int TotalSlots => Silos * SlotsPerSilo;

    public bool Runs(string phase) => Phases.Contains(phase, StringComparer.Ordinal) && (phase != "kill" || Kill > 0);

    /// <summary>Parses the arguments after <c>scale</c>; an unknown option or a bad value throws <see cref="ArgumentException"/>.</summary>
    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new ScaleOptions();
        if (args.Contains("--quick"))
        {
            // A small machine's configuration: 3 silos x 4 slots, short windows.
            o = o with { Silos = 3, SlotsPerSilo = 4, EvalSeconds = 1, WarmupSeconds = 8, Seconds = 20, ZeroWarmupSeconds = 5, ZeroSeconds = 15, Kill = 1, KillRunSeconds = 20 };
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--quick" or "--no-fsync")
            {
                o = name == "--no-fsync" ? o with { Fsync = false } : o;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++i];
            o = name switch
            {
                "--silos" => o with { Silos = Positive(name, Int(name, value)) },
                "--slots" => o with { SlotsPerSilo = Positive(name, Int(name, value)) },
                "--weights" => o with { Weights = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => Positive(name, Real(name, w))).ToArray() },
                "--eval-seconds" => o with { EvalSeconds = NonNegative(name, Real(name, value)) },
                "--warmup" => o with { WarmupSeconds = NonNegative(name, Real(name, value)) },
                "--seconds" => o with { Seconds = Positive(name, Real(name, value)) },
                "--zero-warmup" => o with { ZeroWarmupSeconds = NonNegative(name, Real(name, value)) },
                "--zero-seconds" => o with { ZeroSeconds = Positive(name, Real(name, value)) },
                "--kill" => o with { Kill = NonNegative(name, Int(name, value)) },
                "--kill-run" => o with { KillRunSeconds = Positive(name, Real(name, value)) },
                "--population" => o with { Population = Positive(name, Int(name, value)) },
                "--phases" => o with { Phases = Phase(value) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        if (o.Weights.Count == 0)
        {
            throw new ArgumentException("--weights needs at least one weight");
        }

        if (o.Kill >= o.Silos && o.Runs("kill"))
        {
            throw new ArgumentException($"--kill {o.Kill} must leave at least one of the {o.Silos} silos alive");
        }

        if (o.EvalSeconds <= 0 && (o.Runs("util") || o.Runs("kill")))
        {
            throw new ArgumentException("--eval-seconds must be above 0 for the util and kill phases");
        }

        return o;
    }

    public string Describe() => Invariant(
        $"{Silos} silos x {SlotsPerSilo} slots = {TotalSlots}, weights {string.Join(":", Weights.Select(w => w.ToString("G", CultureInfo.InvariantCulture)))}, evaluations {EvalSeconds:G} s, warm-up {WarmupSeconds:G} s + window {Seconds:G} s; zero-time warm-up {ZeroWarmupSeconds:G} s + window {ZeroSeconds:G} s; kill -9 of {Kill} silo(s) in a run of {KillRunSeconds:G} s of budget; population {Population}; PostgreSQL fsync {(Fsync ? "on" : "off")}; phases {string.Join(",", Phases)}");

    /// <summary>The kill phase's budget of each experiment: its weighted share of what every slot evaluates in <see cref="KillRunSeconds"/>.</summary>
    public IReadOnlyList<int> KillBudgets()
    {
        var total = Weights.Sum();
        return Weights.Select(w => Math.Max(1, (int)Math.Ceiling(TotalSlots * (w / total) * KillRunSeconds / EvalSeconds))).ToArray();
    }

    /// <summary>Each experiment's share of the slot time against its weight's entitlement (all want more than their share).</summary>
    public static IReadOnlyList<ShareRow> Shares(IReadOnlyList<double> weights, IReadOnlyList<double> slotSeconds)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(slotSeconds);
        if (weights.Count != slotSeconds.Count)
        {
            throw new ArgumentException("one slot-time figure per weight");
        }

        var totalWeight = weights.Sum();
        var totalTime = slotSeconds.Sum();
        return weights.Select((w, i) =>
        {
            var entitled = w / totalWeight;
            var share = totalTime > 0 ? slotSeconds[i] / totalTime : 0;
            return new ShareRow(i, w, entitled, share, entitled > 0 ? (share / entitled) - 1 : 0);
        }).ToArray();
    }

    public static string FormatShares(IReadOnlyList<ShareRow> rows, IReadOnlyList<double> completions)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(completions);
        var text = new StringBuilder();
        text.AppendLine("    exp  weight  entitled    share  share/entitled-1  completions");
        foreach (var r in rows)
        {
            text.AppendLine(Invariant($"    {r.Index,3}  {r.Weight,6:G}  {r.Entitled,8:P1}  {r.Share,7:P1}  {r.Deviation,16:+0.0%;-0.0%;0.0%}  {completions[r.Index],11:N0}"));
        }

        var worst = rows.Count == 0 ? 0 : rows.Max(r => Math.Abs(r.Deviation));
        text.Append(Invariant($"    largest |share/entitled-1| {worst:P1}: {Verdict(WithinShareGoal(worst))} (goal within +-10 %)"));
        return text.ToString();
    }

    public static string Verdict(bool met) => met ? "goal met" : "goal MISSED";

    /// <summary>The fair-share goal, |share / entitled - 1| within 10 % (a rounding error's margin, so exactly 10 % counts).</summary>
    public static bool WithinShareGoal(double deviation) => Math.Abs(deviation) <= 0.10 + 1e-9;

    /// <summary>Slot utilization from completed evaluations of a fixed duration: completed x duration / (slots x window).</summary>
    public static double Utilization(double completions, double evalSeconds, int slots, double windowSeconds) =>
        slots <= 0 || windowSeconds <= 0 ? 0 : completions * evalSeconds / (slots * windowSeconds);

    private static string[] Phase(string value)
    {
        var phases = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var p in phases)
        {
            if (!AllPhases.Contains(p, StringComparer.Ordinal))
            {
                throw new ArgumentException($"--phases: unknown phase '{p}' (known: {string.Join(",", AllPhases)})");
            }
        }

        return phases;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name}: '{value}' is not an integer");

    private static double Real(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : throw new ArgumentException($"{name}: '{value}' is not a number");

    private static T Positive<T>(string name, T value)
        where T : System.Numerics.INumber<T> => value > T.Zero ? value : throw new ArgumentException($"{name} must be above 0, got {value}");

    private static T NonNegative<T>(string name, T value)
        where T : System.Numerics.INumber<T> => value >= T.Zero ? value : throw new ArgumentException($"{name} must not be negative, got {value}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One experiment's share of slot time: entitled = weight / sum of weights; deviation = share / entitled - 1.</summary>
internal sealed record ShareRow(int Index, double Weight, double Entitled, double Share, double Deviation);
