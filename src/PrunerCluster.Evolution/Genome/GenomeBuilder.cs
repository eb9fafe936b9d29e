
namespace PrunerCluster.Evolution;

/// <summary>A mutable working copy of a genome for operators; <see cref="ToGenome"/> freezes a copy.</summary>
public sealed class GenomeBuilder
{
    private readonly ulong[] _words;
    private readonly int[] _ints;

    public GenomeBuilder(GenomeLayout layout)
        : this(layout ?? throw new ArgumentNullException(nameof(layout)), new ulong[Genome.WordCount(layout.TotalBits)], new int[layout.TotalIntGenes])
    {
    }

    internal GenomeBuilder(GenomeLayout layout, ulong[] words, int[] ints)
    {
        Layout = layout;
        _words = words;
        _ints = ints;
    }

    public GenomeLayout Layout { get; }

    public bool GetBit(int bitIndex)
    {
        CheckBit(bitIndex);
        return (_words[bitIndex >> 6] & (1UL << (bitIndex & 63))) != 0;
    }

    public void SetBit(int bitIndex, bool keep)
    {
        CheckBit(bitIndex);
        if (keep)
        {
            _words[bitIndex >> 6] |= 1UL << (bitIndex & 63);
        }
        else
        {
            _words[bitIndex >> 6] &= ~(1UL << (bitIndex & 63));
        }
    }

    public void FlipBit(int bitIndex)
    {
        CheckBit(bitIndex);
        _words[bitIndex >> 6] ^= 1UL << (bitIndex & 63);
    }

    public int GetInt(int intIndex) => _ints[intIndex];

    public void SetInt(int intIndex, int value)
    {
        var segment = SegmentOfInt(intIndex);
        var max = Layout.Segments[segment].IntGeneMax;
        if (value < 0 || value > max)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Integer gene of segment '{Layout.Segments[segment].Name}' must be in [0, {max}].");
        }

        _ints[intIndex] = value;
    }

    public int CountKept(int segment)
    {
        return BitWords.CountRange(_words, Layout.BitOffset(segment), Layout.Segments[segment].Bits);
    }

    public int TotalKept => BitWords.PopCount(_words);

    public int SegmentOfInt(int intIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(intIndex, Layout.TotalIntGenes);
        var s = 0;
        while (Layout.IntOffset(s + 1) <= intIndex)
        {
            s++;
        }

        return s;
    }

    public Genome ToGenome() => new(Layout, (ulong[])_words.Clone(), (int[])_ints.Clone());

    private void CheckBit(int bitIndex)
    {
        if ((uint)bitIndex >= (uint)Layout.TotalBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bitIndex), bitIndex, $"The layout has {Layout.TotalBits} bits.");
        }
    }
}
