namespace PrunerCluster.Evolution;

/// <summary>What is searched: the genome layout, the objectives with directions, the constraints, and repair.</summary>
public sealed class Problem
{
    private readonly Func<Genome, Genome>? _extraRepair;

    public Problem(
        GenomeLayout layout,
        IReadOnlyList<ObjectiveSpec> objectives,
        IReadOnlyList<ConstraintSpec>? constraints = null,
        Func<Genome, Genome>? extraRepair = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count == 0)
        {
            throw new ArgumentException("A problem needs at least one objective.", nameof(objectives));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in objectives)
        {
            if (o is null || string.IsNullOrWhiteSpace(o.Name))
            {
                throw new ArgumentException("Every objective needs a non-empty name.", nameof(objectives));
            }

            if (!Enum.IsDefined(o.Direction))
            {
                throw new ArgumentOutOfRangeException(nameof(objectives), o.Direction, $"Objective '{o.Name}' has an unknown direction.");
            }

            if (!names.Add(o.Name))
            {
                throw new ArgumentException($"Objective '{o.Name}' appears more than once.", nameof(objectives));
            }
        }

        foreach (var c in constraints ?? [])
        {
            if (c is null || string.IsNullOrWhiteSpace(c.Metric))
            {
                throw new ArgumentException("Every constraint needs a non-empty metric name.", nameof(constraints));
            }

            if (!double.IsFinite(c.Threshold))
            {
                throw new ArgumentOutOfRangeException(nameof(constraints), c.Threshold, $"Constraint on '{c.Metric}' needs a finite threshold.");
            }

            if (!Enum.IsDefined(c.Op))
            {
                throw new ArgumentOutOfRangeException(nameof(constraints), c.Op, $"Constraint on '{c.Metric}' has an unknown operator.");
            }
        }

        Layout = layout;
        Objectives = [.. objectives];
        Constraints = [.. constraints ?? []];
        _extraRepair = extraRepair;
    }

    public GenomeLayout Layout { get; }

    public IReadOnlyList<ObjectiveSpec> Objectives { get; }

    public IReadOnlyList<ConstraintSpec> Constraints { get; }

    public int ObjectiveCount => Objectives.Count;

    /// <summary>
    /// Builds an <see cref="Evaluation"/> from named metrics. Throws <see cref="ArgumentException"/> naming the metric
    /// when an objective or constraint metric is missing or not finite.
    /// </summary>
    public Evaluation Assess(IReadOnlyDictionary<string, double> metrics) => Assess(metrics, null);

    /// <summary>As <see cref="Assess(IReadOnlyDictionary{string, double})"/>, counting only the constraints whose metric <paramref name="applies"/> accepts (null = all).</summary>
    public Evaluation Assess(IReadOnlyDictionary<string, double> metrics, Func<string, bool>? applies)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var values = new double[Objectives.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Metric(metrics, Objectives[i].Name, "objective");
        }

        var violation = 0.0;
        foreach (var c in Constraints.Where(c => applies is null || applies(c.Metric)))
        {
            violation += c.Violation(Metric(metrics, c.Metric, "constraint"));
        }

        return new Evaluation(values, violation);
    }

    /// <summary>Throws <see cref="ArgumentException"/> (parameter <paramref name="paramName"/>) unless the evaluation fits this problem.</summary>
    public void Validate(Evaluation evaluation, string paramName = "evaluation")
    {
        if (evaluation is null)
        {
            throw new ArgumentNullException(paramName);
        }

        if (evaluation.Objectives is null || evaluation.Objectives.Length != Objectives.Count)
        {
            throw new ArgumentException(
                $"{paramName}.Objectives has {evaluation.Objectives?.Length ?? 0} values but the problem has {Objectives.Count} objectives ({string.Join(", ", Objectives.Select(o => o.Name))}).",
                paramName);
        }

        for (var i = 0; i < Objectives.Count; i++)
        {
            if (!double.IsFinite(evaluation.Objectives[i]))
            {
                throw new ArgumentException(
                    $"{paramName}.Objectives[{i}] ('{Objectives[i].Name}') is {evaluation.Objectives[i]}; objective values must be finite (report a failure with TellFailure instead).",
                    paramName);
            }
        }

        if (!double.IsFinite(evaluation.ConstraintViolation) || evaluation.ConstraintViolation < 0)
        {
            throw new ArgumentException(
                $"{paramName}.ConstraintViolation is {evaluation.ConstraintViolation}; it must be finite and >= 0 (0 = feasible).",
                paramName);
        }
    }

    /// <summary>Objective values turned into minimization form (maximized objectives negated).</summary>
    public double[] ToMinimization(IReadOnlyList<double> objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count != Objectives.Count)
        {
            throw new ArgumentException($"Expected {Objectives.Count} objective values, got {objectives.Count}.", nameof(objectives));
        }

        var result = new double[objectives.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Objectives[i].Direction == Direction.Maximize ? -objectives[i] : objectives[i];
        }

        return result;
    }

    /// <summary>
    /// Repair applied before evaluation: every segment keeps at least <see cref="SegmentSpec.MinKeep"/> units; missing
    /// units are restored at evenly spread positions among the pruned ones (deterministic), then the optional extra repair runs.
    /// </summary>
    public Genome Repair(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (!genome.Layout.IsSameAs(Layout))
        {
            throw new ArgumentException("The genome's layout differs from the problem's layout.", nameof(genome));
        }

        GenomeBuilder? builder = null;
        for (var s = 0; s < Layout.Segments.Count; s++)
        {
            var spec = Layout.Segments[s];
            var kept = genome.CountKept(s);
            if (kept >= spec.MinKeep)
            {
                continue;
            }

            builder ??= genome.ToBuilder();
            var offset = Layout.BitOffset(s);
            var pruned = new List<int>(spec.Bits - kept);
            for (var i = 0; i < spec.Bits; i++)
            {
                if (!genome.GetBitGlobal(offset + i))
                {
                    pruned.Add(offset + i);
                }
            }

            var need = spec.MinKeep - kept;
            for (var k = 0; k < need; k++)
            {
                var pick = (int)(((2L * k) + 1) * pruned.Count / (2L * need));
                builder.SetBit(pruned[pick], true);
            }
        }

        var repaired = builder?.ToGenome() ?? genome;
        if (_extraRepair is null)
        {
            return repaired;
        }

        var extra = _extraRepair(repaired) ?? throw new InvalidOperationException("The extra repair function returned null.");
        return extra.Layout.IsSameAs(Layout)
            ? extra
            : throw new InvalidOperationException("The extra repair function returned a genome with another layout.");
    }

    private static double Metric(IReadOnlyDictionary<string, double> metrics, string name, string role)
    {
        if (!metrics.TryGetValue(name, out var value))
        {
            throw new ArgumentException($"The {role} metric '{name}' is missing (have: {string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal))}).", nameof(metrics));
        }

        return double.IsFinite(value)
            ? value
            : throw new ArgumentException($"The {role} metric '{name}' is {value}; it must be finite.", nameof(metrics));
    }
}
