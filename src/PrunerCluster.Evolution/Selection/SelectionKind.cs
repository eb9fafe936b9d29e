namespace PrunerCluster.Evolution;

public enum SelectionKind
{
    /// <summary>Constrained binary tournament: feasibility, then violation, then rank, then crowding distance.</summary>
    BinaryTournament,

    /// <summary>Fitness-proportional selection on a scalarized fitness (equal-weight sum of normalized objectives).</summary>
    RouletteWheel,
}
