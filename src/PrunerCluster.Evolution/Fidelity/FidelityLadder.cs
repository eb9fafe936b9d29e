namespace PrunerCluster.Evolution;

/// <summary>
/// The engine's multi-fidelity book: every successful result by rung, which were promoted, and the promotions waiting to
/// be handed out. Promotions go out before any new offspring, so a slot that frees always continues the most promising
/// work first.
/// </summary>
internal sealed class FidelityLadder(FidelityLadderSpec spec)
{
    private readonly List<List<RungResult>> _rungs = [.. Enumerable.Range(0, spec.Rungs).Select(_ => new List<RungResult>())];
    private readonly List<Dictionary<string, RungResult>> _byGenome = [.. Enumerable.Range(0, spec.Rungs).Select(_ => new Dictionary<string, RungResult>(StringComparer.Ordinal))];

    // Per rung below the top: the results there of genomes that failed the top rung's constraints, with that violation.
    // Kept as top-rung results arrive, so a forecast does not rescan the rungs.
    private readonly List<List<(double[] AtRung, double TopViolation)>> _witnesses = [.. Enumerable.Range(0, spec.Rungs).Select(_ => new List<(double[], double)>())];
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
        var result = new RungResult(candidate.Id, candidate.Genome, individual.Evaluation, individual.Minimized);
        Add(candidate.Rung, result);
        if (candidate.Rung + 1 >= Spec.Rungs)
        {
            AddWitness(result);
            return [];
        }

        var chosen = AsyncPromotion.Select(Entries(candidate.Rung), Spec.Eta).ToHashSet();
        var promoted = new List<(Genome, int)>();
        foreach (var chosenResult in rung.Where(r => chosen.Contains(r.Id)))
        {
            chosenResult.Promoted = true;
            promoted.Add((chosenResult.Genome, candidate.Rung + 1));
        }

        return promoted;
    }

    /// <summary>
    /// Endgame: the best unpromoted result, feasible after the forecast, of the highest rung below the top whose next
    /// rung <paramref name="canReach"/> allows, promoted past the rung's quota. False when there is none.
    /// </summary>
    public bool TryPromoteBeyondQuota(Func<int, bool> canReach, out (Genome Genome, int Rung) promotion)
    {
        ArgumentNullException.ThrowIfNull(canReach);
        for (var r = Spec.Rungs - 2; r >= 0; r--)
        {
            if (!canReach(r + 1))
            {
                continue;
            }

            var best = AsyncPromotion.Order(Entries(r)).FirstOrDefault(e => !e.Promoted && e.Violation == 0);
            if (best is null)
            {
                continue;
            }

            var result = _rungs[r].First(x => x.Id == best.CandidateId);
            result.Promoted = true;
            promotion = (result.Genome, r + 1);
            return true;
        }

        promotion = default;
        return false;
    }

    /// <summary>A rung's results as promotion sees them: told violation plus the forecast's.</summary>
    private List<RungEntry> Entries(int rung) =>
        [.. _rungs[rung].Select(x => new RungEntry(x.Id, x.Minimized, x.Evaluation.ConstraintViolation + Forecast(rung, x.Minimized), x.Promoted))];

    /// <summary>The forecast violation of a result at <paramref name="rung"/> (see <see cref="FeasibilityForecast"/>); 0 at the top rung.</summary>
    public double Forecast(int rung, double[] minimized) =>
        (uint)rung < (uint)_witnesses.Count ? FeasibilityForecast.Violation(Spec, rung, minimized, _witnesses[rung]) : 0;

    /// <summary>The violation a genome's result at <paramref name="rung"/> was told with (before any forecast), if the ladder holds it.</summary>
    public double? ToldViolation(Genome genome, int rung) =>
        (uint)rung < (uint)_byGenome.Count && _byGenome[rung].TryGetValue(genome.ContentHash, out var r) ? r.Evaluation.ConstraintViolation : null;

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
            Add(s.Rung, new RungResult(s.Id, Genome.Parse(problem.Layout, s.Genome), evaluation, problem.ToMinimization(s.Objectives)) { Promoted = s.Promoted });
        }

        foreach (var c in promotions)
        {
            _promotions.Enqueue(c);
        }

        foreach (var top in _rungs[^1])
        {
            AddWitness(top);
        }
    }

    private void Add(int rung, RungResult result)
    {
        _rungs[rung].Add(result);
        _byGenome[rung].TryAdd(result.Genome.ContentHash, result);
    }

    /// <summary>A top-rung result that failed the constraints is evidence at every lower rung where its genome was measured.</summary>
    private void AddWitness(RungResult top)
    {
        if (top.Evaluation.ConstraintViolation <= 0)
        {
            return;
        }

        for (var rung = 0; rung < _rungs.Count - 1; rung++)
        {
            if (_byGenome[rung].TryGetValue(top.Genome.ContentHash, out var below))
            {
                _witnesses[rung].Add((below.Minimized, top.Evaluation.ConstraintViolation));
            }
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
