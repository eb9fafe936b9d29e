namespace PrunerCluster.Grains.Simulation;

internal enum SimulationEventKind
{
    Completion,
    SiloFailure,
    SiloReturn,
    FailureDetected,
    Pass,
    Tick,
}

/// <summary>One scheduled event: an evaluation finishing (its dispatch number guards against a stale one), a silo failing or returning, a coordinator's pass or tick.</summary>
internal readonly record struct SimulationEvent(SimulationEventKind Kind, int Experiment, int Silo, long Candidate, long Dispatch);
