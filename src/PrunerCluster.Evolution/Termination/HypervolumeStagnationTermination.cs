namespace PrunerCluster.Evolution;

/// <summary>
/// Stops when each of the last <see cref="Generations"/> generations improved the Pareto front's hypervolume by at most
/// <see cref="Tolerance"/> relative to the value before it. A generation whose hypervolume is 0 (no feasible point
/// dominates the reference point yet) never counts as stagnant, nor does a rise from 0.
/// </summary>
public sealed class HypervolumeStagnationTermination : ITermination
{
    public HypervolumeStagnationTermination(int generations, double tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(generations);
        if (double.IsNaN(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The stagnation tolerance must be >= 0.");
        }

        Generations = generations;
        Tolerance = tolerance;
    }

    public int Generations { get; }

    public double Tolerance { get; }

    public bool IsMet(TerminationContext context) => StagnantGenerations(context) >= Generations;

    public double Progress(TerminationContext context) => Math.Clamp((double)StagnantGenerations(context) / Generations, 0, 1);

    private int StagnantGenerations(TerminationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var h = context.HypervolumeHistory;
        var stagnant = 0;
        for (var i = h.Count - 1; i >= 1 && stagnant < Generations; i--)
        {
            var before = h[i - 1];
            var improved = before <= 0 || h[i] - before > Tolerance * Math.Abs(before);
            if (improved)
            {
                break;
            }

            stagnant++;
        }

        return stagnant;
    }
}
