namespace PrunerCluster.Evolution.Tests.Support;

/// <summary>
/// Bi-objective 0/1 knapsack (Zitzler and Thiele 1999 style): maximize two profit sums subject to one capacity
/// (half the total weight). Random integer weights and profits in [10, 60].
/// </summary>
public sealed class Knapsack
{
    public Knapsack(int items, ulong seed)
    {
        var random = new RandomSource(seed);
        Weights = new int[items];
        Profit1 = new int[items];
        Profit2 = new int[items];
        for (var i = 0; i < items; i++)
        {
            Weights[i] = random.NextInt(10, 60);
            Profit1[i] = random.NextInt(10, 60);
            Profit2[i] = random.NextInt(10, 60);
        }

        Capacity = Weights.Sum() / 2;
        Layout = new GenomeLayout([new SegmentSpec("items", items, MinKeep: 0)]);
        Problem = new Problem(Layout, [new ObjectiveSpec("profit1", Direction.Maximize), new ObjectiveSpec("profit2", Direction.Maximize)]);
    }

    public int[] Weights { get; }

    public int[] Profit1 { get; }

    public int[] Profit2 { get; }

    public int Capacity { get; }

    public GenomeLayout Layout { get; }

    public Problem Problem { get; }

    /// <summary>Raw units: both profits maximized, so the origin bounds the dominated region.</summary>
    public double[] ReferencePoint => [0, 0];

    public Evaluation Evaluate(Genome genome)
    {
        long w = 0, p1 = 0, p2 = 0;
        for (var i = 0; i < Weights.Length; i++)
        {
            if (genome.GetBitGlobal(i))
            {
                w += Weights[i];
                p1 += Profit1[i];
                p2 += Profit2[i];
            }
        }

        var violation = w > Capacity ? (double)(w - Capacity) / Capacity : 0;
        return new Evaluation([p1, p2], violation);
    }

    /// <summary>The exact Pareto front (raw profits) by dynamic programming over (weight, profit1) -> best profit2.</summary>
    public List<double[]> ExactFront()
    {
        var maxP1 = Profit1.Sum();
        var width = maxP1 + 1;
        var best = new int[(Capacity + 1) * width];
        Array.Fill(best, -1);
        best[0] = 0;
        for (var i = 0; i < Weights.Length; i++)
        {
            for (var w = Capacity - Weights[i]; w >= 0; w--)
            {
                for (var p = maxP1 - Profit1[i]; p >= 0; p--)
                {
                    var from = best[(w * width) + p];
                    if (from < 0)
                    {
                        continue;
                    }

                    ref var to = ref best[((w + Weights[i]) * width) + p + Profit1[i]];
                    to = Math.Max(to, from + Profit2[i]);
                }
            }
        }

        var bestP2 = new int[width];
        Array.Fill(bestP2, -1);
        for (var w = 0; w <= Capacity; w++)
        {
            for (var p = 0; p < width; p++)
            {
                bestP2[p] = Math.Max(bestP2[p], best[(w * width) + p]);
            }
        }

        var front = new List<double[]>();
        var runningMax = -1;
        for (var p = maxP1; p >= 0; p--)
        {
            if (bestP2[p] > runningMax)
            {
                front.Add([p, bestP2[p]]);
                runningMax = bestP2[p];
            }
        }

        return front;
    }

    public static double[] Minimized(double[] raw) => [-raw[0], -raw[1]];
}
