namespace PrunerCluster.Evolution;

/// <summary>
/// Random search as an ask/tell <see cref="ISearchAlgorithm"/>: every candidate is a uniform random genome within the
/// encoding's bounds (each bit kept with probability 1/2, each integer gene uniform over its range), repaired, and never
/// one proposed before; the unpruned genome goes first when the settings say so. Its front is the non-dominated archive
/// of everything feasible it evaluated. The baseline arm NSGA-II has to beat at the same budget.
/// </summary>
public sealed class RandomSearch : ISearchAlgorithm
{
    public const string AlgorithmName = "random";

    private const double KeepProbability = 0.5;

    private readonly ITermination _termination;
    private readonly RandomSource _random;
    private readonly SearchBook _book;
    private readonly Queue<Genome> _queue = new();

    private RandomSearch(Problem problem, RandomSearchSettings settings, RandomSource random, SearchBook book)
    {
        Problem = problem;
        Settings = settings;
        _random = random;
        _book = book;
        _termination = settings.Termination.Build();
    }

    public string Algorithm => AlgorithmName;

    public Problem Problem { get; }

    public RandomSearchSettings Settings { get; }

    public int Generation { get; private set; }

    public int EvaluationCount => _book.EvaluationCount;

    public int FailureCount => _book.FailureCount;

    /// <summary>True when no genome not proposed before could be drawn (tiny search spaces).</summary>
    public bool IsExhausted { get; private set; }

    public bool IsTerminated => IsExhausted || _termination.IsMet(Context());

    public double Progress => IsTerminated ? 1 : Math.Clamp(_termination.Progress(Context()), 0, 1);

    public IReadOnlyCollection<long> PendingIds => _book.PendingIds;

    public IReadOnlyList<ArchiveEntry> ParetoFront => _book.ParetoFront;

    public static RandomSearch Create(Problem problem, RandomSearchSettings settings, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var search = new RandomSearch(problem, settings, new RandomSource(settings.Seed), new SearchBook(problem, time, listener));
        if (settings.IncludeFullGenome)
        {
            var full = problem.Repair(Genome.Full(problem.Layout));
            if (search._book.TryClaim(full))
            {
                search._queue.Enqueue(full);
            }
        }

        return search;
    }

    public static RandomSearch Restore(Problem problem, RandomSearchState state, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != RandomSearchState.CurrentVersion)
        {
            throw new ArgumentException($"State version {state.Version} is not supported (expected {RandomSearchState.CurrentVersion}).", nameof(state));
        }

        SearchStateCheck.Matches(problem, state.LayoutHash, state.ObjectiveNames, nameof(state));
        state.Settings.Validate();
        var search = new RandomSearch(problem, state.Settings, RandomSource.FromState(state.RandomState), new SearchBook(problem, time, listener, state.Book))
        {
            Generation = state.Generation,
            IsExhausted = state.Exhausted,
        };
        foreach (var text in state.Queue)
        {
            search._queue.Enqueue(Genome.Parse(problem.Layout, text));
        }

        return search;
    }

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
            var genome = _queue.Count > 0 ? _queue.Dequeue() : DrawUnique();
            if (genome is null)
            {
                IsExhausted = _book.PendingCount == 0 && result.Count == 0;
                break;
            }

            result.Add(_book.Propose(genome, Generation));
        }

        return result;
    }

    public void Tell(long candidateId, Evaluation evaluation)
    {
        _book.Tell(candidateId, evaluation);
        CompleteGenerations();
    }

    public void TellFailure(long candidateId, string reason)
    {
        _book.TellFailure(candidateId, reason);
        CompleteGenerations();
    }

    public double Hypervolume(double[] referencePoint) => _book.Hypervolume(referencePoint, Settings.Seed);

    public RandomSearchState SaveState() => new()
    {
        Settings = Settings,
        LayoutHash = Problem.Layout.ContentHash,
        ObjectiveNames = [.. Problem.Objectives.Select(o => o.Name)],
        RandomState = _random.GetState(),
        Generation = Generation,
        Exhausted = IsExhausted,
        Queue = [.. _queue.Select(g => g.ToCanonicalString())],
        Book = _book.Save(),
    };

    ISearchState ISearchAlgorithm.SaveState() => SaveState();

    private Genome? DrawUnique()
    {
        for (var attempt = 0; attempt < Settings.MaxDuplicateRetries; attempt++)
        {
            var genome = Problem.Repair(RandomInitialization.Create(Problem.Layout, KeepProbability, _random));
            if (_book.TryClaim(genome))
            {
                return genome;
            }
        }

        return null;
    }

    private void CompleteGenerations()
    {
        while (EvaluationCount >= (long)(Generation + 1) * Settings.GenerationSize)
        {
            Generation++;
            _book.GenerationCompleted(Generation, Progress);
        }
    }

    private int RemainingBudget() =>
        Settings.Termination.MaxEvaluations is { } max ? Math.Max(0, max - EvaluationCount - _book.PendingCount) : int.MaxValue;

    private TerminationContext Context() => new(Generation, EvaluationCount, _book.Elapsed, []);
}
