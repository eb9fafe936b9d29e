namespace PrunerCluster.Evolution;

public interface ITermination
{
    bool IsMet(TerminationContext context);

    /// <summary>Progress towards the criterion, in [0, 1] (1 when met).</summary>
    double Progress(TerminationContext context);
}
