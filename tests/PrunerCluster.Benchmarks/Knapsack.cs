using PrunerCluster.Evolution;

namespace PrunerCluster.Benchmarks;

/// <summary>Bi-objective 0/1 knapsack: maximize two profit sums under one capacity (half the total weight); integers in [10, 60].</summary>
internal sealed class Knapsack
{
    private readonly int[] _weights;
    private readonly int[] _profit1;
    private readonly int[] _profit2;
    private readonly long _capacity;

    public Knapsack(int items, ulong seed)
    {
        var random = new RandomSource(seed);
        _weights = new int[items];
        _profit1 = new int[items];
        _profit2 = new int[items];
        for (var i = 0; i < items; i++)
        {
            _weights[i] = random.NextInt(10, 60);
            _profit1[i] = random.NextInt(10, 60);
            _profit2[i] = random.NextInt(10, 60);
        }

        _capacity = _weights.Sum() / 2;
        Problem = new Problem(
            new GenomeLayout([new SegmentSpec("items", items, MinKeep: 0)]),
            [new ObjectiveSpec("profit1", Direction.Maximize), new ObjectiveSpec("profit2", Direction.Maximize)]);
    }

    public Problem Problem { get; }

    public Evaluation Evaluate(Genome genome)
    {
        long w = 0, p1 = 0, p2 = 0;
        for (var i = 0; i < _weights.Length; i++)
        {
            if (genome.GetBitGlobal(i))
            {
                w += _weights[i];
                p1 += _profit1[i];
                p2 += _profit2[i];
            }
        }

        return new Evaluation([p1, p2], w > _capacity ? (double)(w - _capacity) / _capacity : 0);
    }
}
