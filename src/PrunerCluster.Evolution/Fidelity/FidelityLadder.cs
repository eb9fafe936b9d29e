namespace PrunerCluster.Evolution;

/// <summary>
/// The engine's multi-fidelity book: every successful result by rung, which were promoted, and the promotions waiting to
/// be handed out. Promotions go out before any new offspring, so a slot that frees always continues the most promising
/// work first.
/// </summary>
internal sealed class FidelityLadder(FidelityLadderSpec spec)
{
    private readonly List<List<RungResult>> _rungs = [.. Enumerable.Range(0, spec.Rungs).Select(_ => new List<RungResult>())];
    private readonly Queue<Candidate> _promotions = new();

    public FidelityLadderSpec Spec { get; } = spec;

    public int WaitingPromotions => _promotions.Count;

    public IEnumerable<Candidate> Waiting => _promotions;

    /// <summary>Successful results per rung, lowest rung first.</summary>
    public IReadOnlyList<int> ResultsPerRung => [.. _rungs.Select(r => r.Count)];

    public bool TryTakePromotion(out Candidate candidate) => _promotions.TryDequeue(out candidate!);

    /// <summary>Records a successful result; returns the genomes this result lets the rung promote (top floor(n / eta), not yet promoted).</summary>
    public IReadOnlyList<(Genome Genome, int Rung)> Record(Candidate candidate, Individual individual)
    {
        if (candidate.Rung >= Spec.Rungs)
        {
            throw new ArgumentException($"Candidate {candidate.Id} is at rung {candidate.Rung}; the ladder has {Spec.Rungs}.", nameof(candidate));
        }

        var rung = _rungs[candidate.Rung];
        rung.Add(new RungResult(candidate.Id, candidate.Genome, individual.Evaluation, individual.Minimized));
        if (candidate.Rung + 1 >= Spec.Rungs)
        {
            return [];
        }

        var entries = rung.Select(r => new RungEntry(r.Id, r.Minimized, r.Evaluation.ConstraintViolation + Forecast(candidate.Rung, r.Minimized), r.Promoted)).ToList();
        var chosen = AsyncPromotion.Select(entries, Spec.Eta).ToHashSet();
        var promoted = new List<(Genome, int)>();
        foreach (var result in rung.Where(r => chosen.Contains(r.Id)))
        {
            result.Promoted = true;
            promoted.Add((result.Genome, candidate.Rung + 1));
        }

        return promoted;
    }

    /// <summary>The forecast violation of a result at <paramref name="rung"/> (see <see cref="FeasibilityForecast"/>); 0 at the top rung.</summary>
    public double Forecast(int rung, double[] minimized)
    {
        var top = Spec.Rungs - 1;
        if (Spec.ForecastWitnesses == 0 || rung >= top || _rungs[top].Count < Spec.ForecastWitnesses)
        {
            return 0;
        }

        var failedAtTop = _rungs[top]
            .Where(r => r.Evaluation.ConstraintViolation > 0)
            .GroupBy(r => r.Genome.ContentHash, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(r => r.Evaluation.ConstraintViolation), StringComparer.Ordinal);
        var witnesses = _rungs[rung]
            .Where(r => failedAtTop.ContainsKey(r.Genome.ContentHash))
            .Select(r => (r.Minimized, failedAtTop[r.Genome.ContentHash]));
        return FeasibilityForecast.Violation(Spec, rung, minimized, witnesses);
    }

    /// <summary>The violation a genome's result at <paramref name="rung"/> was told with (before any forecast), if the ladder holds it.</summary>
    public double? ToldViolation(Genome genome, int rung) =>
        (uint)rung < (uint)_rungs.Count && _rungs[rung].FirstOrDefault(r => string.Equals(r.Genome.ContentHash, genome.ContentHash, StringComparison.Ordinal)) is { } r
            ? r.Evaluation.ConstraintViolation
            : null;

    public void Enqueue(Candidate promotion) => _promotions.Enqueue(promotion);

    public IEnumerable<RungResultState> Save() =>
        _rungs.SelectMany((rung, r) => rung.Select(x => new RungResultState(x.Id, r, x.Genome.ToCanonicalString(), x.Evaluation.Objectives, x.Evaluation.ConstraintViolation, x.Promoted)));

    public void Restore(IEnumerable<RungResultState> results, IEnumerable<Candidate> promotions, Problem problem)
    {
        foreach (var s in results)
        {
            if ((uint)s.Rung >= (uint)Spec.Rungs)
            {
                throw new ArgumentException($"A saved rung result is at rung {s.Rung}; the ladder has {Spec.Rungs}.", nameof(results));
            }

            var evaluation = new Evaluation(s.Objectives, s.ConstraintViolation);
            problem.Validate(evaluation, nameof(results));
            _rungs[s.Rung].Add(new RungResult(s.Id, Genome.Parse(problem.Layout, s.Genome), evaluation, problem.ToMinimization(s.Objectives)) { Promoted = s.Promoted });
        }

        foreach (var c in promotions)
        {
            _promotions.Enqueue(c);
        }
    }

    private sealed class RungResult(long id, Genome genome, Evaluation evaluation, double[] minimized)
    {
        public long Id { get; } = id;

        public Genome Genome { get; } = genome;

        public Evaluation Evaluation { get; } = evaluation;

        public double[] Minimized { get; } = minimized;

        public bool Promoted { get; set; }
    }
}
