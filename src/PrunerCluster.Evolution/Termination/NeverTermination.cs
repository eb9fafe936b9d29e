namespace PrunerCluster.Evolution;

/// <summary>Never met (the caller stops the run); progress stays 0.</summary>
public sealed class NeverTermination : ITermination
{
    public bool IsMet(TerminationContext context) => false;

    public double Progress(TerminationContext context) => 0;
}
