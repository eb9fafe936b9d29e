namespace PrunerCluster.Evolution;

/// <summary>
/// Level genomes that reproduce a one-rule pruning baseline (<see cref="PruningRule"/>): the rule spends a global keep
/// budget of <c>keepRatio</c> of all units where its scores say, and each segment's level gene takes the value whose
/// keep fraction is nearest what the rule kept there. Seeding the first population with them means the search starts
/// from the rules' answers and its front can only improve on them.
/// </summary>
public static class RuleInitialization
{
    /// <param name="importance">Per segment name, one non-negative importance per unit; segments without one keep the rule's global ratio.</param>
    /// <param name="keepFractions">Per segment (layout order), the fraction of units each value of its first integer gene keeps.</param>
    public static Genome Create(GenomeLayout layout, IReadOnlyDictionary<string, double[]> importance, PruningRule rule, double keepRatio, IReadOnlyList<double[]> keepFractions)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(keepFractions);
        if (!(keepRatio is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(keepRatio), keepRatio, "The keep ratio must be in (0, 1].");
        }

        LevelInitialization.ValidateKeepFractions(layout, keepFractions, nameof(keepFractions));
        var kept = KeptFractions(layout, importance, rule, keepRatio);
        var builder = Genome.Full(layout).ToBuilder();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            if (layout.Segments[s].IntGenes > 0)
            {
                builder.SetInt(layout.IntOffset(s), LevelInitialization.NearestValue(keepFractions[s], kept[s]));
            }
        }

        return builder.ToGenome();
    }

    /// <summary>Per segment, the fraction of its units the rule keeps at a global <paramref name="keepRatio"/>.</summary>
    public static double[] KeptFractions(GenomeLayout layout, IReadOnlyDictionary<string, double[]> importance, PruningRule rule, double keepRatio)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(importance);
        var result = Enumerable.Repeat(keepRatio, layout.Segments.Count).ToArray();
        var units = new List<(double Score, int Segment, int Unit)>();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            if (layout.Segments[s].IntGenes > 0 && importance.TryGetValue(layout.Segments[s].Name, out var values) && values.Length > 0)
            {
                var scores = Scores(values, rule);
                units.AddRange(scores.Select((score, u) => (score, s, u)));
                result[s] = 0;
            }
        }

        var budget = (int)Math.Round(keepRatio * units.Count, MidpointRounding.AwayFromZero);
        var counts = new int[layout.Segments.Count];
        var totals = new int[layout.Segments.Count];
        foreach (var (_, s, _) in units)
        {
            totals[s]++;
        }

        foreach (var (_, s, _) in units.OrderByDescending(u => u.Score).ThenBy(u => u.Segment).ThenBy(u => u.Unit).Take(budget))
        {
            counts[s]++;
        }

        for (var s = 0; s < counts.Length; s++)
        {
            if (totals[s] > 0)
            {
                result[s] = (double)counts[s] / totals[s];
            }
        }

        return result;
    }

    /// <summary>The rule's score of every unit of one segment.</summary>
    public static double[] Scores(double[] importance, PruningRule rule)
    {
        ArgumentNullException.ThrowIfNull(importance);
        var magnitude = importance.Select(v => double.IsFinite(v) ? Math.Abs(v) : 0).ToArray();
        if (rule == PruningRule.GlobalThreshold)
        {
            return magnitude;
        }

        if (rule != PruningRule.Lamp)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown pruning rule.");
        }

        var order = Enumerable.Range(0, magnitude.Length).OrderByDescending(i => magnitude[i]).ThenBy(i => i).ToArray();
        var scores = new double[magnitude.Length];
        var suffix = 0.0;
        foreach (var i in order)
        {
            suffix += magnitude[i] * magnitude[i];
            scores[i] = suffix > 0 ? magnitude[i] * magnitude[i] / suffix : 1.0 / magnitude.Length;
        }

        return scores;
    }
}
