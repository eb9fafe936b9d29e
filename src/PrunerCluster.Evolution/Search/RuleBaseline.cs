namespace PrunerCluster.Evolution;

/// <summary>
/// The rule baselines as an ask/tell <see cref="ISearchAlgorithm"/>: proposes each of a fixed list of rule masks once
/// (uniform ladder, global threshold / network slimming, LAMP; see <see cref="RuleBaselineSettings"/>), repaired and
/// without repeats, and terminates once all are told. Its front is the non-dominated archive of the feasible ones, so
/// an arm comparison sees what the rules alone reach; the same masks seed NSGA-II's first population.
/// </summary>
public sealed class RuleBaseline : ISearchAlgorithm
{
    public const string AlgorithmName = "rules";

    private readonly ITermination _termination;
    private readonly SearchBook _book;
    private readonly IReadOnlyList<Genome> _genomes;
    private int _proposed;

    private RuleBaseline(Problem problem, RuleBaselineSettings settings, SearchBook book)
    {
        Problem = problem;
        Settings = settings;
        _book = book;
        _termination = settings.Termination.Build();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _genomes = [.. settings.Genomes.Select(t => problem.Repair(Genome.Parse(problem.Layout, t))).Where(g => seen.Add(g.ContentHash))];
    }

    public string Algorithm => AlgorithmName;

    public Problem Problem { get; }

    public RuleBaselineSettings Settings { get; }

    /// <summary>The distinct, repaired masks proposed in order.</summary>
    public IReadOnlyList<Genome> Genomes => _genomes;

    /// <summary>0 while masks are out, 1 once every one is told: the baseline is one generation.</summary>
    public int Generation => IsDone ? 1 : 0;

    public int EvaluationCount => _book.EvaluationCount;

    public int FailureCount => _book.FailureCount;

    public bool IsTerminated => IsDone || _termination.IsMet(Context());

    public double Progress => IsTerminated
        ? 1
        : Math.Clamp(Math.Max((double)EvaluationCount / _genomes.Count, _termination.Progress(Context())), 0, 1);

    public IReadOnlyCollection<long> PendingIds => _book.PendingIds;

    public IReadOnlyList<ArchiveEntry> ParetoFront => _book.ParetoFront;

    private bool IsDone => _proposed == _genomes.Count && _book.PendingCount == 0;

    public static RuleBaseline Create(Problem problem, RuleBaselineSettings settings, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(problem);
        return new RuleBaseline(problem, settings, new SearchBook(problem, time, listener));
    }

    public static RuleBaseline Restore(Problem problem, RuleBaselineState state, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != RuleBaselineState.CurrentVersion)
        {
            throw new ArgumentException($"State version {state.Version} is not supported (expected {RuleBaselineState.CurrentVersion}).", nameof(state));
        }

        SearchStateCheck.Matches(problem, state.LayoutHash, state.ObjectiveNames, nameof(state));
        state.Settings.Validate(problem);
        var baseline = new RuleBaseline(problem, state.Settings, new SearchBook(problem, time, listener, state.Book));
        if (state.Proposed < 0 || state.Proposed > baseline._genomes.Count)
        {
            throw new ArgumentException($"The state's Proposed {state.Proposed} is outside the {baseline._genomes.Count} rule masks.", nameof(state));
        }

        baseline._proposed = state.Proposed;
        return baseline;
    }

    public IReadOnlyList<Candidate> Ask(int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        if (maxCount == 0 || IsTerminated)
        {
            return [];
        }

        var count = Math.Min(maxCount, RemainingBudget());
        var result = new List<Candidate>();
        while (result.Count < count && _proposed < _genomes.Count)
        {
            result.Add(_book.Propose(_genomes[_proposed++], 0));
        }

        return result;
    }

    public void Tell(long candidateId, Evaluation evaluation)
    {
        _book.Tell(candidateId, evaluation);
        OnTold();
    }

    public void TellFailure(long candidateId, string reason)
    {
        _book.TellFailure(candidateId, reason);
        OnTold();
    }

    public double Hypervolume(double[] referencePoint) => _book.Hypervolume(referencePoint, seed: 1);

    public RuleBaselineState SaveState() => new()
    {
        Settings = Settings,
        LayoutHash = Problem.Layout.ContentHash,
        ObjectiveNames = [.. Problem.Objectives.Select(o => o.Name)],
        Proposed = _proposed,
        Book = _book.Save(),
    };

    ISearchState ISearchAlgorithm.SaveState() => SaveState();

    private void OnTold()
    {
        if (IsDone)
        {
            _book.GenerationCompleted(Generation, Progress);
        }
    }

    private int RemainingBudget() =>
        Settings.Termination.MaxEvaluations is { } max ? Math.Max(0, max - EvaluationCount - _book.PendingCount) : int.MaxValue;

    private TerminationContext Context() => new(Generation, EvaluationCount, _book.Elapsed, []);
}
