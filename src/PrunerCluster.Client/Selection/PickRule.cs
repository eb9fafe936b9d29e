using System.Globalization;
using System.Text.RegularExpressions;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Selection;

/// <summary>How to compare a metric with a threshold in a pick rule.</summary>
public enum PickOperator
{
    LessOrEqual,
    Less,
    GreaterOrEqual,
    Greater,
    Equal,
}

/// <summary>One "metric op value" condition of a pick rule, with the value already in the metric's own unit.</summary>
public sealed record PickCondition(string Metric, PickOperator Operator, double Value)
{
    /// <summary>
    /// Compares up to floating-point noise: a drop computed as 91.40 - 90.40 (1.0000000000000142) is "1 pt", as the table
    /// prints it, so it satisfies "accuracy drop &lt;= 1 pt" and fails "&lt; 1 pt".
    /// </summary>
    public bool Holds(double actual)
    {
        var same = Math.Abs(actual - Value) <= 1e-9 * Math.Max(1.0, Math.Max(Math.Abs(actual), Math.Abs(Value)));
        return Operator switch
        {
            PickOperator.LessOrEqual => same || actual < Value,
            PickOperator.Less => !same && actual < Value,
            PickOperator.GreaterOrEqual => same || actual > Value,
            PickOperator.Greater => !same && actual > Value,
            _ => same,
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric} {Symbol(Operator)} {Value:G6}");

    internal static string Symbol(PickOperator op) => op switch
    {
        PickOperator.LessOrEqual => "<=",
        PickOperator.Less => "<",
        PickOperator.GreaterOrEqual => ">=",
        PickOperator.Greater => ">",
        _ => "=",
    };
}

/// <summary>
/// Which Pareto member to take: a rank ("3", "rank 3"), a mask-hash prefix ("hash:3fa9c1"), or an extreme of a metric
/// under conditions ("smallest macs with accuracy drop &lt;= 1 pt", "lowest latency where accuracy >= 90% and params &lt; 1M").
/// </summary>
public sealed partial record PickRule
{
    public const string Help =
        "a rank (1 = first row of 'pareto'), 'hash:PREFIX', or '<smallest|largest|lowest|highest|min|max|best> METRIC [with|where METRIC OP VALUE [and ...]]', " +
        "e.g. \"smallest MACs with accuracy drop <= 1 pt\"; OP is <=, <, >=, >, =; VALUE may end in % (fraction metrics), pt, k, M or G";

    public int? Rank { get; init; }
    public string? HashPrefix { get; init; }
    public string? Metric { get; init; }

    /// <summary>True: take the largest value of <see cref="Metric"/>; false: the smallest.</summary>
    public bool Largest { get; init; }
    public IReadOnlyList<PickCondition> Conditions { get; init; } = [];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["latency"] = MetricNames.LatencyMs,
        ["energy"] = MetricNames.EnergyMj,
        ["size"] = MetricNames.SizeBytes,
        ["parameters"] = MetricNames.Params,
        ["drop"] = MetricNames.AccuracyDrop,
        ["kept"] = MetricNames.KeptFraction,
        ["f1"] = MetricNames.MacroF1,
    };

    public static PickRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rule = text.Trim();
        if (rule.Length == 0)
        {
            throw Invalid(text, "it is empty");
        }

        var rank = RankPattern().Match(rule);
        if (rank.Success)
        {
            var value = int.Parse(rank.Groups[1].Value, CultureInfo.InvariantCulture);
            return value >= 1 ? new PickRule { Rank = value } : throw Invalid(text, "ranks start at 1");
        }

        if (rule.StartsWith("hash:", StringComparison.OrdinalIgnoreCase))
        {
            var prefix = rule[5..].Trim();
            return prefix.Length > 0 && prefix.All(Uri.IsHexDigit) ? new PickRule { HashPrefix = prefix.ToLowerInvariant() } : throw Invalid(text, "'hash:' must be followed by hex digits");
        }

        var extreme = ExtremePattern().Match(rule);
        if (!extreme.Success)
        {
            throw Invalid(text, "it is neither a rank, 'hash:PREFIX' nor '<smallest|largest...> METRIC [with ...]'");
        }

        var word = extreme.Groups["dir"].Value.ToLowerInvariant();
        var metric = MetricName(extreme.Groups["metric"].Value, text);
        var largest = word switch
        {
            "largest" or "highest" or "max" or "maximum" => true,
            "best" => IsHigherBetter(metric),
            _ => false,
        };
        var conditions = new List<PickCondition>();
        if (extreme.Groups["conds"].Success)
        {
            foreach (var part in AndPattern().Split(extreme.Groups["conds"].Value))
            {
                conditions.Add(Condition(part.Trim(), text));
            }
        }

        return new PickRule { Metric = metric, Largest = largest, Conditions = conditions };
    }

    /// <summary>The chosen member of <paramref name="ordered"/> (the order 'pareto' prints) and its 1-based rank there.</summary>
    public (ParetoEntry Entry, int Rank) Select(IReadOnlyList<ParetoEntry> ordered)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        if (ordered.Count == 0)
        {
            throw new PickRuleException("the Pareto set is empty: nothing to pick");
        }

        if (Rank is { } rank)
        {
            return rank <= ordered.Count ? (ordered[rank - 1], rank)
                : throw new PickRuleException(string.Create(CultureInfo.InvariantCulture, $"rank {rank} is out of range: the Pareto set has {ordered.Count} member(s)"));
        }

        if (HashPrefix is { } prefix)
        {
            var matches = ordered.Select((e, i) => (e, i)).Where(x => x.e.MaskHash.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToArray();
            return matches.Length switch
            {
                1 => (matches[0].e, matches[0].i + 1),
                0 => throw new PickRuleException($"no Pareto member has a mask hash starting with '{prefix}'"),
                _ => throw new PickRuleException($"{matches.Length} members have a mask hash starting with '{prefix}': give more digits"),
            };
        }

        var metric = Metric!;
        var missing = Conditions.Select(c => c.Metric).Append(metric).FirstOrDefault(m => !ordered.Any(e => e.Metrics.ContainsKey(m)));
        if (missing is not null)
        {
            var known = string.Join(", ", ordered.SelectMany(e => e.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            throw new PickRuleException($"no Pareto member has metric '{missing}'; the members have: {known}");
        }

        var candidates = ordered.Select((e, i) => (e, i))
            .Where(x => x.e.Metrics.ContainsKey(metric) && Conditions.All(c => x.e.Metrics.TryGetValue(c.Metric, out var v) && c.Holds(v)))
            .ToArray();
        if (candidates.Length == 0)
        {
            var closest = string.Join("; ", Conditions.Select(c =>
            {
                var values = ordered.Where(e => e.Metrics.ContainsKey(c.Metric)).Select(e => e.Metrics[c.Metric]).ToArray();
                var best = c.Operator is PickOperator.LessOrEqual or PickOperator.Less ? values.Min() : values.Max();
                return string.Create(CultureInfo.InvariantCulture, $"closest {c.Metric} is {best:G6}");
            }));
            throw new PickRuleException($"no Pareto member satisfies {string.Join(" and ", Conditions)} ({closest})");
        }

        var chosen = Largest ? candidates.MaxBy(x => x.e.Metrics[metric]) : candidates.MinBy(x => x.e.Metrics[metric]);
        return (chosen.e, chosen.i + 1);
    }

    public override string ToString() =>
        Rank is { } r ? $"rank {r}"
        : HashPrefix is { } h ? $"hash:{h}"
        : $"{(Largest ? "largest" : "smallest")} {Metric}" + (Conditions.Count > 0 ? " with " + string.Join(" and ", Conditions) : "");

    private static PickCondition Condition(string text, string rule)
    {
        var m = ConditionPattern().Match(text);
        if (!m.Success)
        {
            throw Invalid(rule, $"condition '{text}' is not 'METRIC OP VALUE' (e.g. 'accuracy drop <= 1 pt')");
        }

        var metric = MetricName(m.Groups["metric"].Value, rule);
        var op = m.Groups["op"].Value switch
        {
            "<=" or "=<" => PickOperator.LessOrEqual,
            "<" => PickOperator.Less,
            ">=" or "=>" => PickOperator.GreaterOrEqual,
            ">" => PickOperator.Greater,
            _ => PickOperator.Equal,
        };
        var value = double.Parse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var unit = m.Groups["unit"].Value;
        value = unit switch
        {
            "" => value,
            "%" => metric is MetricNames.Accuracy or MetricNames.KeptFraction or MetricNames.MacroF1 ? value / 100 : value,
            "k" or "K" => value * 1e3,
            "M" => value * 1e6,
            "G" or "g" => value * 1e9,
            _ when unit.StartsWith("p", StringComparison.OrdinalIgnoreCase) => value,
            _ when unit.Equals("ms", StringComparison.OrdinalIgnoreCase) => metric == MetricNames.LatencyMs ? value : throw Invalid(rule, $"'ms' fits latency, not '{metric}'"),
            _ => throw Invalid(rule, $"unit '{unit}' is unknown (use %, pt, k, M, G or ms)"),
        };
        return new PickCondition(metric, op, value);
    }

    private static string MetricName(string words, string rule)
    {
        var name = string.Join('_', words.Trim().ToLowerInvariant().Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries));
        if (Aliases.TryGetValue(name, out var alias))
        {
            name = alias;
        }

        return MetricNames.All.Contains(name, StringComparer.Ordinal) ? name
            : throw Invalid(rule, $"'{words.Trim()}' is not a metric; known: {string.Join(", ", MetricNames.All)}");
    }

    private static bool IsHigherBetter(string metric) => metric is MetricNames.Accuracy or MetricNames.MacroF1 or MetricNames.Throughput;

    private static PickRuleException Invalid(string rule, string why) => new($"--pick '{rule}' is not a valid rule: {why}. Expected {Help}");

    [GeneratedRegex(@"^(?:rank\s*)?#?(\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RankPattern();

    [GeneratedRegex(@"^(?<dir>smallest|largest|lowest|highest|min|max|minimum|maximum|best|fewest|least)\s+(?<metric>[a-z_\- ]+?)(?:\s+(?:with|where|and|if)\s+(?<conds>.+))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtremePattern();

    [GeneratedRegex(@"\s+and\s+|\s*,\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AndPattern();

    [GeneratedRegex(@"^(?<metric>[a-z_\- ]+?)\s*(?<op><=|=<|>=|=>|==|<|>|=)\s*(?<value>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?<unit>%|pts?|points?|ms|k|M|G)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConditionPattern();
}

/// <summary>A pick rule that does not parse or matches no member; the message says why.</summary>
public sealed class PickRuleException : Exception
{
    public PickRuleException(string message)
        : base(message)
    {
    }

    public PickRuleException()
    {
    }

    public PickRuleException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
