using System.Globalization;

namespace PrunerCluster.Evolution;

/// <summary>
/// NSGA-II as an ask/tell engine with two drivers over one state. <see cref="DriverMode.Generational"/>: a generation of
/// offspring is bred at once, handed out by <see cref="Ask"/>, and survival (mu + lambda, candidates ordered by id) runs
/// when the last result is told, so the outcome does not depend on tell order. <see cref="DriverMode.SteadyState"/>:
/// offspring are bred on demand from the current population and every told result enters survival at once.
/// Not thread-safe: one caller (e.g. one coordinator grain) drives it.
/// </summary>
public sealed class Nsga2 : ISearchAlgorithm
{
    public const string AlgorithmName = "nsga2";

    private const int StagnationMonteCarloSamples = 20_000;

    private readonly TimeProvider _time;
    private readonly IEvolutionListener _listener;
    private readonly ITermination _termination;
    private readonly ISelection _selection;
    private readonly ICrossover _crossover;
    private readonly IMutation _mutation;
    private readonly double _mutationRate;
    private readonly Queue<Candidate> _queue = new();
    private readonly SortedDictionary<long, Candidate> _pending = [];
    private readonly List<Individual> _told = [];
    private readonly ParetoArchive<ArchiveEntry> _archive = new();
    private readonly HashSet<UInt128> _seen = [];
    private readonly List<double> _hypervolumeHistory = [];
    private readonly RandomSource _random;
    private readonly FidelityLadder _ladder;
    private readonly Dictionary<long, long> _askedAt = [];
    private readonly double[] _rungSeconds;
    private readonly int[] _rungTimed;
    private readonly TimeSpan _elapsedBefore;
    private readonly long _startTimestamp;
    private List<Individual> _population = [];
    private List<SelectionInfo>? _selectionInfo;
    private IReadOnlyList<ArchiveEntry>? _front;
    private double[]? _stagnationReference;
    private long _nextId;
    private int _densityCursor;

    private Nsga2(Problem problem, Nsga2Settings settings, RandomSource random, TimeProvider? time, IEvolutionListener? listener, TimeSpan elapsedBefore)
    {
        Problem = problem;
        Settings = settings;
        _random = random;
        _time = time ?? TimeProvider.System;
        _listener = listener ?? NullEvolutionListener.Instance;
        _termination = settings.Termination.Build();
        _selection = Operators.Selection(settings.Selection);
        _crossover = Operators.Crossover(settings.Crossover);
        _mutation = Operators.Mutation(settings.Mutation);
        _mutationRate = settings.EffectiveMutationRate(problem.Layout);
        _elapsedBefore = elapsedBefore;
        _startTimestamp = _time.GetTimestamp();
        _ladder = new FidelityLadder(settings.Fidelity);
        _rungSeconds = new double[settings.Fidelity.Rungs];
        _rungTimed = new int[settings.Fidelity.Rungs];
        if (settings.Termination.HypervolumeStagnation?.ReferencePoint is { } r)
        {
            _stagnationReference = problem.ToMinimization(r);
        }
    }

    public string Algorithm => AlgorithmName;

    public Problem Problem { get; }

    public Nsga2Settings Settings { get; }

    /// <summary>Completed generations (generation 0 is the initial population).</summary>
    public int Generation { get; private set; }

    /// <summary>Results told so far, failures included.</summary>
    public int EvaluationCount { get; private set; }

    public int FailureCount { get; private set; }

    /// <summary>True when no new, not yet evaluated genome could be bred (tiny search spaces).</summary>
    public bool IsExhausted { get; private set; }

    public bool IsTerminated => IsExhausted || _termination.IsMet(Context());

    public double Progress => IsTerminated ? 1 : Math.Clamp(_termination.Progress(Context()), 0, 1);

    public TimeSpan Elapsed => _elapsedBefore + _time.GetElapsedTime(_startTimestamp);

    public IReadOnlyCollection<long> PendingIds => [.. _pending.Keys];

    /// <summary>Candidates bred but not yet handed out (generational: the rest of the current generation).</summary>
    public int QueuedCount => _queue.Count;

    /// <summary>The non-dominated feasible set of everything evaluated, ordered by candidate id.</summary>
    public IReadOnlyList<ArchiveEntry> ParetoFront => _front ??= [.. _archive.Items.OrderBy(e => e.CandidateId)];

    /// <summary>The current population (survivors), ordered by candidate id.</summary>
    public IReadOnlyList<ArchiveEntry> Population => [.. _population.Select(i => new ArchiveEntry(i.Id, i.Genome, i.Evaluation, i.Rung))];

    public IReadOnlyList<double> HypervolumeHistory => _hypervolumeHistory;

    /// <summary>Multi-fidelity: successful results per rung so far, lowest rung first (one entry for a single-fidelity run).</summary>
    public IReadOnlyList<int> ResultsPerRung => _ladder.ResultsPerRung;

    /// <summary>Multi-fidelity: promotions decided and not handed out yet.</summary>
    public int WaitingPromotions => _ladder.WaitingPromotions;

    public static Nsga2 Create(Problem problem, Nsga2Settings settings, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(problem);
        var engine = new Nsga2(problem, settings, new RandomSource(settings.Seed), time, listener, TimeSpan.Zero);
        foreach (var genome in engine.InitialGenomes())
        {
            engine._queue.Enqueue(new Candidate(engine._nextId++, genome, 0));
        }

        return engine;
    }

    public static Nsga2 Restore(Problem problem, AlgorithmState state, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != AlgorithmState.CurrentVersion)
        {
            throw new ArgumentException($"State version {state.Version} is not supported (expected {AlgorithmState.CurrentVersion}).", nameof(state));
        }

        if (!string.Equals(state.LayoutHash, problem.Layout.ContentHash, StringComparison.Ordinal))
        {
            throw new ArgumentException("The state was saved for another genome layout (layout hash differs).", nameof(state));
        }

        if (!state.ObjectiveNames.SequenceEqual(problem.Objectives.Select(o => o.Name), StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The state's objectives ({string.Join(", ", state.ObjectiveNames)}) differ from the problem's ({string.Join(", ", problem.Objectives.Select(o => o.Name))}).",
                nameof(state));
        }

        state.Settings.Validate(problem);
        var engine = new Nsga2(problem, state.Settings, RandomSource.FromState(state.RandomState), time, listener, TimeSpan.FromTicks(state.ElapsedTicks))
        {
            Generation = state.Generation,
            EvaluationCount = state.EvaluationCount,
            FailureCount = state.FailureCount,
            IsExhausted = state.Exhausted,
            _nextId = state.NextId,
        };
        if ((uint)state.DensityCursor >= (uint)state.Settings.InitialDensities.Length)
        {
            throw new ArgumentException($"The state's DensityCursor {state.DensityCursor} is outside InitialDensities.", nameof(state));
        }

        engine._population = [.. state.Population.Select(engine.FromState)];
        Nsga2Survival.AssignRankAndCrowding(engine._population);
        foreach (var c in state.Queue)
        {
            engine._queue.Enqueue(engine.FromState(c));
        }

        foreach (var c in state.Pending)
        {
            engine._pending.Add(c.Id, engine.FromState(c));
        }

        engine._told.AddRange(state.Told.Select(engine.FromState));
        foreach (var a in state.Archive)
        {
            var ind = engine.FromState(a);
            engine._archive.Add(new ArchiveEntry(ind.Id, ind.Genome, ind.Evaluation, ind.Rung), ind.Minimized);
        }

        foreach (var h in state.SeenHashes)
        {
            engine._seen.Add(UInt128.Parse(h, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        engine._hypervolumeHistory.AddRange(state.HypervolumeHistory);
        engine._stagnationReference = state.StagnationReference?.ToArray() ?? engine._stagnationReference;
        engine._densityCursor = state.DensityCursor;
        engine._ladder.Restore(state.RungResults, state.Promotions.Select(engine.FromState), problem);
        return engine;
    }

    /// <summary>
    /// Up to <paramref name="maxCount"/> new candidates; fewer (possibly none) at a generational barrier, when the
    /// evaluation budget is taken by pending candidates, or once terminated. Never a genome evaluated, pending or queued before.
    /// </summary>
    public IReadOnlyList<Candidate> Ask(int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        if (maxCount == 0 || IsTerminated)
        {
            return [];
        }

        var count = Math.Min(maxCount, RemainingBudget());
        var result = new List<Candidate>(Math.Min(count, 1024));
        while (result.Count < count)
        {
            Candidate candidate;
            if (_ladder.TryTakePromotion(out var promotion))
            {
                candidate = promotion;
            }
            else if (_queue.Count > 0)
            {
                candidate = _queue.Dequeue();
            }
            else if (InEndgame() && _ladder.TryPromoteBeyondQuota(CanReachTop, out var extra))
            {
                candidate = new Candidate(_nextId++, extra.Genome, Generation, extra.Rung);
            }
            else if (Settings.Mode == DriverMode.Generational)
            {
                break;
            }
            else
            {
                var genome = BreedUnique();
                if (genome is null)
                {
                    IsExhausted = _pending.Count == 0 && result.Count == 0;
                    break;
                }

                candidate = new Candidate(_nextId++, genome, Generation);
            }

            _pending.Add(candidate.Id, candidate);
            _askedAt[candidate.Id] = _time.GetTimestamp();
            result.Add(candidate);
        }

        return result;
    }

    public void Tell(long candidateId, Evaluation evaluation)
    {
        var candidate = PendingCandidate(candidateId);
        Problem.Validate(evaluation, nameof(evaluation));
        _pending.Remove(candidateId);
        TimeRung(candidate);
        var copy = new Evaluation((double[])evaluation.Objectives.Clone(), evaluation.ConstraintViolation);
        var minimized = Problem.ToMinimization(copy.Objectives);
        var told = new Individual(candidate.Id, candidate.Genome, candidate.Generation, copy, minimized, candidate.Rung);
        var individual = WithForecast(told);
        EvaluationCount++;
        if (candidate.Rung > 0)
        {
            Supersede(candidate.Genome);
        }

        var entered = individual.IsFeasible && _archive.Add(new ArchiveEntry(candidate.Id, candidate.Genome, individual.Evaluation, candidate.Rung), individual.Minimized);
        if (entered)
        {
            _front = null;
        }

        _listener.OnEvaluated(new EvaluatedEvent(candidate, copy, null, entered, EvaluationCount));
        if (Settings.Fidelity.IsMultiFidelity)
        {
            foreach (var (genome, rung) in _ladder.Record(candidate, told))
            {
                _ladder.Enqueue(new Candidate(_nextId++, genome, Generation, rung));
            }

            if (candidate.Rung == Settings.Fidelity.Rungs - 1)
            {
                Reforecast();
            }
        }

        if (Settings.Mode == DriverMode.Generational)
        {
            _told.Add(individual);
            CompleteGenerationIfDone();
        }
        else
        {
            _population.Add(individual);
            _population = Nsga2Survival.Survive(_population, Settings.PopulationSize);
            _selectionInfo = null;
            CompleteSteadyStateGenerations();
        }
    }

    /// <summary>The candidate could not be evaluated: counted, never selected, and its genome is not offered again.</summary>
    public void TellFailure(long candidateId, string reason)
    {
        var candidate = PendingCandidate(candidateId);
        _pending.Remove(candidateId);
        _askedAt.Remove(candidateId);
        EvaluationCount++;
        FailureCount++;
        _listener.OnEvaluated(new EvaluatedEvent(candidate, null, reason ?? "unknown", false, EvaluationCount));
        if (Settings.Mode == DriverMode.Generational)
        {
            CompleteGenerationIfDone();
        }
        else
        {
            CompleteSteadyStateGenerations();
        }
    }

    /// <summary>Hypervolume of the Pareto front; <paramref name="referencePoint"/> is in raw objective units and directions.</summary>
    public double Hypervolume(double[] referencePoint)
    {
        ArgumentNullException.ThrowIfNull(referencePoint);
        if (referencePoint.Length != Problem.ObjectiveCount)
        {
            throw new ArgumentException($"The reference point has {referencePoint.Length} values, the problem has {Problem.ObjectiveCount} objectives.", nameof(referencePoint));
        }

        return Evolution.Hypervolume.Compute(_archive.Objectives, Problem.ToMinimization(referencePoint), seed: Settings.Seed);
    }

    public AlgorithmState SaveState() => new()
    {
        Settings = Settings,
        LayoutHash = Problem.Layout.ContentHash,
        ObjectiveNames = [.. Problem.Objectives.Select(o => o.Name)],
        RandomState = _random.GetState(),
        NextId = _nextId,
        Generation = Generation,
        EvaluationCount = EvaluationCount,
        FailureCount = FailureCount,
        Exhausted = IsExhausted,
        ElapsedTicks = Elapsed.Ticks,
        DensityCursor = _densityCursor,
        Population = [.. _population.Select(ToState)],
        Queue = [.. _queue.Select(ToState)],
        Pending = [.. _pending.Values.Select(ToState)],
        Told = [.. _told.Select(ToState)],
        Archive = [.. _archive.Items.Select(e => new IndividualState(e.CandidateId, e.Genome.ToCanonicalString(), 0, e.Evaluation.Objectives, e.Evaluation.ConstraintViolation, e.Rung))],
        SeenHashes = [.. _seen.Order().Select(h => h.ToString("x32", CultureInfo.InvariantCulture))],
        HypervolumeHistory = [.. _hypervolumeHistory],
        StagnationReference = _stagnationReference,
        RungResults = [.. _ladder.Save()],
        Promotions = [.. _ladder.Waiting.Select(ToState)],
    };

    ISearchState ISearchAlgorithm.SaveState() => SaveState();

    private static UInt128 Key(Genome genome) =>
        UInt128.Parse(genome.ContentHash.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static IndividualState ToState(Individual i) =>
        new(i.Id, i.Genome.ToCanonicalString(), i.Generation, i.Evaluation.Objectives, i.Evaluation.ConstraintViolation, i.Rung);

    private static CandidateState ToState(Candidate c) => new(c.Id, c.Genome.ToCanonicalString(), c.Generation, c.Rung);

    private Individual FromState(IndividualState s)
    {
        var evaluation = new Evaluation(s.Objectives, s.ConstraintViolation);
        Problem.Validate(evaluation, nameof(s));
        return new Individual(s.Id, Genome.Parse(Problem.Layout, s.Genome), s.Generation, evaluation, Problem.ToMinimization(s.Objectives), s.Rung);
    }

    private Candidate FromState(CandidateState s) => new(s.Id, Genome.Parse(Problem.Layout, s.Genome), s.Generation, s.Rung);

    /// <summary>A higher-fidelity result of a genome replaces its lower-rung one in the population and the Pareto archive.</summary>
    /// <summary>A result below the top rung with the ladder's feasibility forecast added to its violation (unchanged at the top rung or without evidence).</summary>
    private Individual WithForecast(Individual told)
    {
        var forecast = Settings.Fidelity.IsMultiFidelity ? _ladder.Forecast(told.Rung, told.Minimized) : 0;
        if (forecast == 0)
        {
            return told;
        }

        var evaluation = told.Evaluation with { ConstraintViolation = told.Evaluation.ConstraintViolation + forecast };
        return new Individual(told.Id, told.Genome, told.Generation, evaluation, told.Minimized, told.Rung);
    }

    /// <summary>
    /// A top-rung result is new evidence: survivors and archive members measured below the top rung are forecast again,
    /// so an early extreme that the top rung has since shown hopeless stops breeding and leaves the front.
    /// </summary>
    private void Reforecast()
    {
        var top = Settings.Fidelity.Rungs - 1;
        for (var i = 0; i < _population.Count; i++)
        {
            var member = _population[i];
            if (member.Rung < top && _ladder.ToldViolation(member.Genome, member.Rung) is { } told
                && told + _ladder.Forecast(member.Rung, member.Minimized) is var violation && violation != member.Violation)
            {
                _population[i] = new Individual(member.Id, member.Genome, member.Generation, member.Evaluation with { ConstraintViolation = violation }, member.Minimized, member.Rung);
                _selectionInfo = null;
            }
        }

        if (_archive.RemoveWhere(e => e.Rung < top && _ladder.Forecast(e.Rung, Problem.ToMinimization(e.Evaluation.Objectives)) > 0) > 0)
        {
            _front = null;
        }
    }

    private void Supersede(Genome genome)
    {
        var key = genome.ContentHash;
        if (_population.RemoveAll(i => string.Equals(i.Genome.ContentHash, key, StringComparison.Ordinal)) > 0)
        {
            _selectionInfo = null;
        }

        if (_archive.RemoveWhere(e => string.Equals(e.Genome.ContentHash, key, StringComparison.Ordinal)) > 0)
        {
            _front = null;
        }
    }

    private Candidate PendingCandidate(long candidateId) =>
        _pending.TryGetValue(candidateId, out var candidate)
            ? candidate
            : throw new ArgumentException($"Candidate {candidateId} is not pending (unknown id, already told, or from another run).", nameof(candidateId));

    /// <summary>Steady-state ladder in the last <see cref="FidelityLadderSpec.EndgameFraction"/> of its budget.</summary>
    private bool InEndgame() =>
        Settings.Mode == DriverMode.SteadyState && Settings.Fidelity is { IsMultiFidelity: true, EndgameFraction: > 0 } f
        && _termination.Progress(Context()) >= 1 - f.EndgameFraction;

    /// <summary>
    /// Whether a candidate starting at <paramref name="rung"/> now can still reach the top rung within the wall-clock
    /// budget, at the mean time each rung's results have taken from ask to tell (a rung not timed yet counts as free).
    /// </summary>
    private bool CanReachTop(int rung)
    {
        if (Settings.Termination.WallClock is not { } budget)
        {
            return true;
        }

        var needed = 0.0;
        for (var r = rung; r < _rungSeconds.Length; r++)
        {
            needed += _rungTimed[r] == 0 ? 0 : _rungSeconds[r] / _rungTimed[r];
        }

        return Elapsed + TimeSpan.FromSeconds(needed) <= budget;
    }

    private void TimeRung(Candidate candidate)
    {
        if (_askedAt.Remove(candidate.Id, out var asked) && (uint)candidate.Rung < (uint)_rungSeconds.Length)
        {
            _rungSeconds[candidate.Rung] += _time.GetElapsedTime(asked).TotalSeconds;
            _rungTimed[candidate.Rung]++;
        }
    }

    private TerminationContext Context() => new(Generation, EvaluationCount, Elapsed, _hypervolumeHistory);

    private int RemainingBudget() =>
        Settings.Termination.MaxEvaluations is { } max ? Math.Max(0, max - EvaluationCount - _pending.Count) : int.MaxValue;

    private void CompleteGenerationIfDone()
    {
        if (_queue.Count > 0 || _pending.Count > 0)
        {
            return;
        }

        _population = Nsga2Survival.Survive([.. _population, .. _told], Settings.PopulationSize);
        _selectionInfo = null;
        _told.Clear();
        Generation++;
        OnGenerationCompleted();
        if (IsTerminated)
        {
            return;
        }

        var count = Math.Min(Settings.PopulationSize, RemainingBudget());
        for (var i = 0; i < count; i++)
        {
            var genome = BreedUnique();
            if (genome is null)
            {
                break;
            }

            _queue.Enqueue(new Candidate(_nextId++, genome, Generation));
        }

        IsExhausted = _queue.Count == 0;
    }

    private void CompleteSteadyStateGenerations()
    {
        while (EvaluationCount >= (long)(Generation + 1) * Settings.PopulationSize)
        {
            Generation++;
            OnGenerationCompleted();
        }
    }

    private void OnGenerationCompleted()
    {
        double? hv = null;
        if (Settings.Termination.HypervolumeStagnation is not null)
        {
            _stagnationReference ??= AutoReference();
            if (_stagnationReference is not null)
            {
                hv = Evolution.Hypervolume.Compute(_archive.Objectives, _stagnationReference, StagnationMonteCarloSamples, Settings.Seed);
                _hypervolumeHistory.Add(hv.Value);
            }
        }

        _listener.OnGenerationCompleted(new GenerationCompletedEvent(Generation, EvaluationCount, _archive.Count, Progress, hv));
    }

    private double[]? AutoReference()
    {
        if (_population.Count == 0)
        {
            return null;
        }

        var points = _population.Select(i => i.Minimized).ToList();
        var ideal = Normalization.Ideal(points);
        var nadir = Normalization.Nadir(points);
        return [.. nadir.Select((v, k) => nadir[k] > ideal[k] ? v + (0.1 * (nadir[k] - ideal[k])) : v + 1)];
    }

    private List<Genome> InitialGenomes()
    {
        var result = new List<Genome>();
        void Offer(Genome g)
        {
            if (result.Count < Settings.PopulationSize && _seen.Add(Key(g)))
            {
                result.Add(g);
            }
        }

        foreach (var seed in SeedPopulation.Genomes(Problem, Settings))
        {
            Offer(seed);
        }

        for (var attempt = 0; result.Count < Settings.PopulationSize && attempt < Settings.PopulationSize * Settings.MaxDuplicateRetries; attempt++)
        {
            Offer(Problem.Repair(RandomGenome()));
        }

        return result;
    }

    private Genome RandomGenome()
    {
        var density = Settings.InitialDensities[_densityCursor];
        _densityCursor = (_densityCursor + 1) % Settings.InitialDensities.Length;
        return Settings.InitialLevelSpread is { } spread
            ? RandomInitialization.CreateCorrelated(Problem.Layout, density, spread, _random, Settings.LevelKeepFractions)
            : RandomInitialization.Create(Problem.Layout, density, _random);
    }

    private Genome? BreedUnique()
    {
        for (var attempt = 0; attempt < Settings.MaxDuplicateRetries; attempt++)
        {
            var child = Problem.Repair(_population.Count >= 2 ? Breed() : RandomGenome());
            if (_seen.Add(Key(child)))
            {
                return child;
            }
        }

        for (var attempt = 0; attempt < Settings.MaxDuplicateRetries; attempt++)
        {
            var child = Problem.Repair(RandomGenome());
            if (_seen.Add(Key(child)))
            {
                return child;
            }
        }

        return null;
    }

    private Genome Breed()
    {
        _selectionInfo ??= [.. _population.Select(i => new SelectionInfo(i.Rank, i.Crowding, i.Violation, i.Minimized))];
        var first = _population[_selection.Select(_selectionInfo, _random)].Genome;
        var second = _population[_selection.Select(_selectionInfo, _random)].Genome;
        var child = first;
        if (_random.NextBool(Settings.CrossoverProbability))
        {
            var (a, b) = _crossover.Cross(first, second, _random);
            child = _random.NextBool(0.5) ? a : b;
        }

        return _mutation.Mutate(child, _mutationRate, _random);
    }
}
