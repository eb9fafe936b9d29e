namespace PrunerCluster.Evolution;

public enum TerminationCombine
{
    Any,
    All,
}
