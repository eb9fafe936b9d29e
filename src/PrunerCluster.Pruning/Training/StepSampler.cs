namespace PrunerCluster.Pruning.Training;

/// <summary>
/// The training samples of every step as a function of the step alone: sample k of step s is position
/// (s * batch + k) of the concatenated epoch permutations (epoch e shuffled from the seed on stream 0xF7 + e), so a
/// batch may span two epochs, and a replayed step reads exactly the samples it read the first time.
/// </summary>
internal sealed class StepSampler(int count, int batch, ulong seed)
{
    private readonly int[] positions = new int[batch];
    private long cachedEpoch = -1;
    private int[] order = [];

    public int Batch => batch;

    /// <summary>The order in which epoch <paramref name="epoch"/> of a sampler over <paramref name="count"/> samples with <paramref name="seed"/> visits them.</summary>
    public static int[] EpochOrder(int count, ulong seed, long epoch) =>
        new DeterministicRandom(seed, stream: 0xF7 + (ulong)epoch).Permutation(count);

    /// <summary>The positions of <paramref name="step"/> (0-based); the returned array is reused by the next call.</summary>
    public int[] Positions(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var first = (long)step * batch;
        for (var i = 0; i < batch; i++)
        {
            var global = first + i;
            var epoch = global / count;
            if (epoch != cachedEpoch)
            {
                order = EpochOrder(count, seed, epoch);
                cachedEpoch = epoch;
            }

            positions[i] = order[global % count];
        }

        return positions;
    }
}
