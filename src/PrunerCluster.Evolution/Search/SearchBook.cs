using System.Globalization;

namespace PrunerCluster.Evolution;

/// <summary>
/// What every ask/tell search keeps besides its own proposal logic: candidate ids, the pending set, the genomes proposed
/// (never proposed twice), counters, elapsed time and the non-dominated archive of feasible results.
/// </summary>
internal sealed class SearchBook
{
    private readonly SortedDictionary<long, Candidate> _pending = [];
    private readonly ParetoArchive<ArchiveEntry> _archive = new();
    private readonly HashSet<UInt128> _seen = [];
    private readonly IEvolutionListener _listener;
    private readonly TimeProvider _time;
    private readonly TimeSpan _elapsedBefore;
    private readonly long _startTimestamp;
    private IReadOnlyList<ArchiveEntry>? _front;
    private long _nextId;

    public SearchBook(Problem problem, TimeProvider? time, IEvolutionListener? listener, SearchBookState? state = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
        _time = time ?? TimeProvider.System;
        _listener = listener ?? NullEvolutionListener.Instance;
        _elapsedBefore = TimeSpan.FromTicks(state?.ElapsedTicks ?? 0);
        _startTimestamp = _time.GetTimestamp();
        if (state is null)
        {
            return;
        }

        _nextId = state.NextId;
        EvaluationCount = state.EvaluationCount;
        FailureCount = state.FailureCount;
        foreach (var c in state.Pending)
        {
            _pending.Add(c.Id, new Candidate(c.Id, Genome.Parse(problem.Layout, c.Genome), c.Generation, c.Rung));
        }

        foreach (var a in state.Archive)
        {
            var evaluation = new Evaluation([.. a.Objectives], a.ConstraintViolation);
            problem.Validate(evaluation, nameof(state));
            _archive.Add(new ArchiveEntry(a.Id, Genome.Parse(problem.Layout, a.Genome), evaluation, a.Rung), problem.ToMinimization(evaluation.Objectives));
        }

        foreach (var h in state.SeenHashes)
        {
            _seen.Add(UInt128.Parse(h, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }
    }

    public Problem Problem { get; }

    public int EvaluationCount { get; private set; }

    public int FailureCount { get; private set; }

    public int PendingCount => _pending.Count;

    public IReadOnlyCollection<long> PendingIds => [.. _pending.Keys];

    public TimeSpan Elapsed => _elapsedBefore + _time.GetElapsedTime(_startTimestamp);

    public IReadOnlyList<ArchiveEntry> ParetoFront => _front ??= [.. _archive.Items.OrderBy(e => e.CandidateId)];

    public IReadOnlyList<double[]> FrontObjectives => _archive.Objectives;

    /// <summary>Marks the genome proposed; false when it was proposed before.</summary>
    public bool TryClaim(Genome genome) =>
        _seen.Add(UInt128.Parse(genome.ContentHash.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));

    /// <summary>A new pending candidate for a genome already claimed.</summary>
    public Candidate Propose(Genome genome, int generation)
    {
        var candidate = new Candidate(_nextId++, genome, generation);
        _pending.Add(candidate.Id, candidate);
        return candidate;
    }

    public void Tell(long candidateId, Evaluation evaluation)
    {
        var candidate = Pending(candidateId);
        Problem.Validate(evaluation, nameof(evaluation));
        _pending.Remove(candidateId);
        var copy = new Evaluation((double[])evaluation.Objectives.Clone(), evaluation.ConstraintViolation);
        EvaluationCount++;
        var entered = copy.IsFeasible && _archive.Add(new ArchiveEntry(candidate.Id, candidate.Genome, copy, candidate.Rung), Problem.ToMinimization(copy.Objectives));
        if (entered)
        {
            _front = null;
        }

        _listener.OnEvaluated(new EvaluatedEvent(candidate, copy, null, entered, EvaluationCount));
    }

    public void TellFailure(long candidateId, string reason)
    {
        var candidate = Pending(candidateId);
        _pending.Remove(candidateId);
        EvaluationCount++;
        FailureCount++;
        _listener.OnEvaluated(new EvaluatedEvent(candidate, null, reason ?? "unknown", false, EvaluationCount));
    }

    public void GenerationCompleted(int generation, double progress) =>
        _listener.OnGenerationCompleted(new GenerationCompletedEvent(generation, EvaluationCount, _archive.Count, progress, null));

    public double Hypervolume(double[] referencePoint, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(referencePoint);
        if (referencePoint.Length != Problem.ObjectiveCount)
        {
            throw new ArgumentException($"The reference point has {referencePoint.Length} values, the problem has {Problem.ObjectiveCount} objectives.", nameof(referencePoint));
        }

        return Evolution.Hypervolume.Compute(_archive.Objectives, Problem.ToMinimization(referencePoint), seed: seed);
    }

    public SearchBookState Save() => new()
    {
        NextId = _nextId,
        EvaluationCount = EvaluationCount,
        FailureCount = FailureCount,
        ElapsedTicks = Elapsed.Ticks,
        Pending = [.. _pending.Values.Select(c => new CandidateState(c.Id, c.Genome.ToCanonicalString(), c.Generation, c.Rung))],
        Archive = [.. _archive.Items.Select(e => new IndividualState(e.CandidateId, e.Genome.ToCanonicalString(), 0, e.Evaluation.Objectives, e.Evaluation.ConstraintViolation, e.Rung))],
        SeenHashes = [.. _seen.Order().Select(h => h.ToString("x32", CultureInfo.InvariantCulture))],
    };

    private Candidate Pending(long candidateId) =>
        _pending.TryGetValue(candidateId, out var candidate)
            ? candidate
            : throw new ArgumentException($"Candidate {candidateId} is not pending (unknown id, already told, or from another run).", nameof(candidateId));
}
