namespace PrunerCluster.Evolution;

/// <summary>Maps the serializable operator kinds of <see cref="Nsga2Settings"/> to operator instances.</summary>
public static class Operators
{
    public static ISelection Selection(SelectionKind kind) => kind switch
    {
        SelectionKind.BinaryTournament => new BinaryTournamentSelection(),
        SelectionKind.RouletteWheel => new RouletteWheelSelection(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown selection kind."),
    };

    public static ICrossover Crossover(CrossoverKind kind) => kind switch
    {
        CrossoverKind.Uniform => new UniformCrossover(),
        CrossoverKind.SinglePoint => new SinglePointCrossover(),
        CrossoverKind.TwoPoint => new TwoPointCrossover(),
        CrossoverKind.SegmentWise => new SegmentWiseCrossover(),
        CrossoverKind.Arithmetic => new ArithmeticCrossover(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown crossover kind."),
    };

    public static IMutation Mutation(MutationKind kind) => kind switch
    {
        MutationKind.BitFlip => new BitFlipMutation(),
        MutationKind.DensityPreservingSwap => new DensityPreservingSwapMutation(),
        MutationKind.SegmentLevel => new SegmentLevelMutation(),
        MutationKind.Creep => new CreepMutation(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown mutation kind."),
    };
}
