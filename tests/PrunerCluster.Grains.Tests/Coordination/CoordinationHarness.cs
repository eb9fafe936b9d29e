using PrunerCluster.Engine.Backends;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Tests.Coordination;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Every coordinator event, in order.</summary>
internal sealed class RecordingEvents : ICoordinatorEvents
{
    public List<string> Log { get; } = [];

    public void Dispatching(long candidateId, string individualKey, int attempt) => Log.Add($"dispatch {candidateId} #{attempt}");

    public void DispatchFailed(Exception error, long candidateId, string individualKey) => Log.Add($"dispatch-failed {candidateId}: {error.GetType().Name}");

    public void Reissued(long candidateId, string reason) => Log.Add($"reissued {candidateId} {reason}");

    public void TransientFailure(long candidateId, string reason, string decision) => Log.Add($"transient {candidateId} {decision}");

    public void CacheHit() => Log.Add("cache-hit");

    public void Booked(long candidateId, bool succeeded, bool fromCache, string silo) => Log.Add($"booked {candidateId} {succeeded} {fromCache}");
}

/// <summary>
/// The coordinator's plain parts wired as the grain wires them, over a real search (synthetic backend, real NSGA-II) and a
/// manual clock: what a test drives is exactly what the grain runs, minus Orleans.
/// </summary>
internal sealed class CoordinationHarness
{
    private CoordinationHarness(ExperimentSpec spec, PreparedSearch search, SyntheticEvaluationBackend backend, ManualTime time, TimeSpan refusalHold)
    {
        Spec = spec;
        Backend = backend;
        Time = time;
        State = new CoordinatorState { ExperimentId = "unit", Spec = spec, Prepared = search.Prepared, State = ExperimentState.Running };
        InFlight = new InFlightTable(State.InFlight);
        Ledger = new EvaluationLedger(4);
        Refusals = new RefusalMemory(refusalHold);
        Books = new EvaluationBookkeeper(State, InFlight, Ledger, Refusals, Events, time, defaultMaxAttempts: 3, maxRecordedErrors: 20)
        {
            Engine = search.Engine,
            Problem = search.Problem,
        };
        Planner = new DispatchPlanner(InFlight, Refusals, time);
        Results = new DispatchResultHandler(Books, State, Events, time);
    }

    public ExperimentSpec Spec { get; }

    public SyntheticEvaluationBackend Backend { get; }

    public ManualTime Time { get; }

    public CoordinatorState State { get; }

    public InFlightTable InFlight { get; }

    public EvaluationLedger Ledger { get; }

    public RefusalMemory Refusals { get; }

    public RecordingEvents Events { get; } = new();

    public EvaluationBookkeeper Books { get; }

    public DispatchPlanner Planner { get; }

    public DispatchResultHandler Results { get; }

    public static async Task<CoordinationHarness> CreateAsync(int population = 4, int maxEvaluations = 8, int maxAttempts = 3, SearchMode mode = SearchMode.SteadyState, TimeSpan? refusalHold = null)
    {
        var time = new ManualTime();
        var spec = TestClusters.Spec("unit", population: population, maxEvaluations: maxEvaluations, durationMs: 0, mode: mode) with { MaxAttempts = maxAttempts };
        var backend = new SyntheticEvaluationBackend(time);
        var search = await ExperimentPreparation.PrepareAsync(backend, spec, time, CancellationToken.None);
        return new CoordinationHarness(spec, search, backend, time, refusalHold ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>One planning step as the dispatch pass runs it.</summary>
    public DispatchPlan Plan(params string[] grants) =>
        Planner.Plan(InFlight.Waiting(), grants, askNew: !Books.Engine!.IsTerminated, Books.Engine.Ask, (c, silo) => DispatchPlanner.NewEntry(c, silo, State.Prepared!, null, Time.GetUtcNow()));

    /// <summary>The synthetic backend's real outcome for an entry, run on <paramref name="silo"/>.</summary>
    public EvaluationOutcome Evaluate(InFlightEvaluation entry, string silo)
    {
        var request = new EvaluationRequest
        {
            ExperimentId = "unit",
            CandidateId = entry.CandidateId,
            Spec = Spec,
            Prepared = State.Prepared!,
            MaskText = entry.MaskText,
            MaskHash = entry.MaskHash,
        };
        return Backend.Evaluate(request, new SlotContext(0, "cpu", "cpu", silo), CancellationToken.None) with { Silo = silo };
    }
}
