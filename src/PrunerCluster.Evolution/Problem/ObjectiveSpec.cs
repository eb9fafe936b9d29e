namespace PrunerCluster.Evolution;

/// <summary>An objective: a metric name (e.g. <c>accuracy_drop</c>, <c>macs</c>) and whether to minimize or maximize it.</summary>
public sealed record ObjectiveSpec(string Name, Direction Direction);
