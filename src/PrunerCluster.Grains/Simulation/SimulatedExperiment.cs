using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Simulation;

/// <summary>
/// One experiment's coordinator in the simulation: the coordinator's real plain parts (<see cref="InFlightTable"/>,
/// <see cref="RefusalMemory"/>, <see cref="DispatchPlanner"/>) plus what the simulation counts: evaluations running (with
/// the dispatch that started each and when), completed ones, and the slot-seconds it held after warm-up.
/// </summary>
internal sealed class SimulatedExperiment
{
    public SimulatedExperiment(int index, double weight, int cap, TimeProvider time)
    {
        Index = index;
        Id = $"exp-{index:D4}";
        Spec = new ExperimentSpec { Name = Id, Backend = ExperimentSpec.SyntheticBackend, Weight = weight, MaxConcurrency = cap };
        InFlight = new InFlightTable([]);
        Refusals = new RefusalMemory(TimeSpan.FromSeconds(5));
        Planner = new DispatchPlanner(InFlight, Refusals, time);
    }

    public int Index { get; }

    public string Id { get; }

    public ExperimentSpec Spec { get; }

    public InFlightTable InFlight { get; }

    public RefusalMemory Refusals { get; }

    public DispatchPlanner Planner { get; }

    public long NextCandidate { get; set; }

    public Dictionary<long, (long Dispatch, double Started)> Running { get; } = [];

    public HashSet<long> Done { get; } = [];

    public long Duplicates { get; set; }

    public bool PassPending { get; set; }

    public int Held { get; private set; }

    public double SlotSeconds { get; private set; }

    private double _since;

    /// <summary>Changes the slots held at simulated time <paramref name="now"/>, first counting the slot-seconds held since the last change (after <paramref name="warmup"/>).</summary>
    public void Hold(int delta, double now, double warmup)
    {
        var from = Math.Max(_since, warmup);
        if (now > from)
        {
            SlotSeconds += Held * (now - from);
        }

        _since = now;
        Held += delta;
    }
}
