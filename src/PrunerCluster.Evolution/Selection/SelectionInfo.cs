namespace PrunerCluster.Evolution;

/// <summary>What a selection operator may look at for one population member (objectives in minimization form).</summary>
public readonly record struct SelectionInfo(int Rank, double Crowding, double Violation, double[] Objectives);
