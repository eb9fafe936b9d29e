using System.Globalization;
using System.Text;

namespace PrunerCluster.Evolution;

/// <summary>
/// An immutable prune mask: bit-packed keep-bits (1 = keep) for every segment of a <see cref="GenomeLayout"/>, plus the
/// segments' small integer genes. Identity across processes is <see cref="ContentHash"/>, the SHA-256 of
/// <see cref="ToCanonicalString"/>; <see cref="GetHashCode"/> is only for in-process hash tables.
/// </summary>
public sealed class Genome : IEquatable<Genome>
{
    private readonly ulong[] _words;
    private readonly int[] _ints;
    private string? _canonical;
    private string? _hash;

    internal Genome(GenomeLayout layout, ulong[] words, int[] ints)
    {
        Layout = layout;
        _words = words;
        _ints = ints;
    }

    public GenomeLayout Layout { get; }

    public int TotalKept => BitWords.PopCount(_words);

    /// <summary>Fraction of kept bits over the whole genome (1 when the layout has no bits).</summary>
    public double Density => Layout.TotalBits == 0 ? 1.0 : (double)TotalKept / Layout.TotalBits;

    /// <summary>Lowercase hex SHA-256 of the canonical text.</summary>
    public string ContentHash => _hash ??= Sha256Hex.Of(ToCanonicalString());

    internal ReadOnlySpan<ulong> Words => _words;

    internal ReadOnlySpan<int> Ints => _ints;

    public static Genome Full(GenomeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var words = new ulong[WordCount(layout.TotalBits)];
        Array.Fill(words, ulong.MaxValue);
        MaskTail(words, layout.TotalBits);
        return new Genome(layout, words, new int[layout.TotalIntGenes]);
    }

    public static Genome Create(GenomeLayout layout, IReadOnlyList<bool[]> segmentBits, IReadOnlyList<int[]>? segmentInts = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(segmentBits);
        if (segmentBits.Count != layout.Segments.Count)
        {
            throw new ArgumentException($"Expected bits for {layout.Segments.Count} segments, got {segmentBits.Count}.", nameof(segmentBits));
        }

        if (segmentInts is not null && segmentInts.Count != layout.Segments.Count)
        {
            throw new ArgumentException($"Expected integer genes for {layout.Segments.Count} segments, got {segmentInts.Count}.", nameof(segmentInts));
        }

        var builder = new GenomeBuilder(layout);
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var spec = layout.Segments[s];
            var bits = segmentBits[s] ?? throw new ArgumentException($"Bits of segment '{spec.Name}' are null.", nameof(segmentBits));
            if (bits.Length != spec.Bits)
            {
                throw new ArgumentException($"Segment '{spec.Name}' has {spec.Bits} bits, got {bits.Length}.", nameof(segmentBits));
            }

            var offset = layout.BitOffset(s);
            for (var i = 0; i < bits.Length; i++)
            {
                builder.SetBit(offset + i, bits[i]);
            }

            var ints = segmentInts?[s];
            if (ints is null)
            {
                continue;
            }

            if (ints.Length != spec.IntGenes)
            {
                throw new ArgumentException($"Segment '{spec.Name}' has {spec.IntGenes} integer genes, got {ints.Length}.", nameof(segmentInts));
            }

            for (var g = 0; g < ints.Length; g++)
            {
                if (ints[g] < 0 || ints[g] > spec.IntGeneMax)
                {
                    throw new ArgumentOutOfRangeException(nameof(segmentInts), ints[g], $"Segment '{spec.Name}' integer gene {g} must be in [0, {spec.IntGeneMax}].");
                }

                builder.SetInt(layout.IntOffset(s) + g, ints[g]);
            }
        }

        return builder.ToGenome();
    }

    /// <summary>Parses <see cref="ToCanonicalString"/> output: <c>name=0101[/3,0]</c> per segment, joined by ';'.</summary>
    public static Genome Parse(GenomeLayout layout, string text)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';');
        if (parts.Length != layout.Segments.Count)
        {
            throw new FormatException($"Genome text has {parts.Length} segments, the layout has {layout.Segments.Count}.");
        }

        var builder = new GenomeBuilder(layout);
        for (var s = 0; s < parts.Length; s++)
        {
            var spec = layout.Segments[s];
            var part = parts[s];
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !string.Equals(part[..eq], spec.Name, StringComparison.Ordinal))
            {
                throw new FormatException($"Genome text segment {s} must start with '{spec.Name}='.");
            }

            var body = part[(eq + 1)..];
            var slash = body.IndexOf('/', StringComparison.Ordinal);
            var bits = slash < 0 ? body : body[..slash];
            if (bits.Length != spec.Bits)
            {
                throw new FormatException($"Segment '{spec.Name}' needs {spec.Bits} bits, the text has {bits.Length}.");
            }

            var offset = layout.BitOffset(s);
            for (var i = 0; i < bits.Length; i++)
            {
                builder.SetBit(offset + i, bits[i] switch
                {
                    '1' => true,
                    '0' => false,
                    _ => throw new FormatException($"Segment '{spec.Name}' bit {i} is '{bits[i]}', expected '0' or '1'."),
                });
            }

            if (spec.IntGenes == 0)
            {
                if (slash >= 0)
                {
                    throw new FormatException($"Segment '{spec.Name}' has no integer genes but the text has some.");
                }

                continue;
            }

            if (slash < 0)
            {
                throw new FormatException($"Segment '{spec.Name}' needs {spec.IntGenes} integer genes after '/'.");
            }

            var values = body[(slash + 1)..].Split(',');
            if (values.Length != spec.IntGenes)
            {
                throw new FormatException($"Segment '{spec.Name}' needs {spec.IntGenes} integer genes, the text has {values.Length}.");
            }

            for (var g = 0; g < values.Length; g++)
            {
                if (!int.TryParse(values[g], NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v > spec.IntGeneMax
                    || !string.Equals(v.ToString(CultureInfo.InvariantCulture), values[g], StringComparison.Ordinal))
                {
                    throw new FormatException($"Segment '{spec.Name}' integer gene {g} '{values[g]}' is not a canonical integer in [0, {spec.IntGeneMax}].");
                }

                builder.SetInt(layout.IntOffset(s) + g, v);
            }
        }

        return builder.ToGenome();
    }

    public bool GetBit(int segment, int index)
    {
        var spec = SegmentAt(segment);
        if ((uint)index >= (uint)spec.Bits)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Segment '{spec.Name}' has {spec.Bits} bits.");
        }

        return GetBitGlobal(Layout.BitOffset(segment) + index);
    }

    /// <summary>Bit at a global index over all segments (segment offsets from <see cref="GenomeLayout.BitOffset"/>).</summary>
    public bool GetBitGlobal(int bitIndex) => (_words[bitIndex >> 6] & (1UL << (bitIndex & 63))) != 0;

    public bool[] GetSegmentBits(int segment)
    {
        var spec = SegmentAt(segment);
        var offset = Layout.BitOffset(segment);
        var bits = new bool[spec.Bits];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = GetBitGlobal(offset + i);
        }

        return bits;
    }

    public int GetInt(int segment, int gene)
    {
        var spec = SegmentAt(segment);
        if ((uint)gene >= (uint)spec.IntGenes)
        {
            throw new ArgumentOutOfRangeException(nameof(gene), gene, $"Segment '{spec.Name}' has {spec.IntGenes} integer genes.");
        }

        return _ints[Layout.IntOffset(segment) + gene];
    }

    public int[] GetSegmentInts(int segment)
    {
        var spec = SegmentAt(segment);
        return _ints.AsSpan(Layout.IntOffset(segment), spec.IntGenes).ToArray();
    }

    public int CountKept(int segment)
    {
        var spec = SegmentAt(segment);
        return BitWords.CountRange(_words, Layout.BitOffset(segment), spec.Bits);
    }

    public double SegmentDensity(int segment)
    {
        var spec = SegmentAt(segment);
        return spec.Bits == 0 ? 1.0 : (double)CountKept(segment) / spec.Bits;
    }

    public GenomeBuilder ToBuilder() => new(Layout, (ulong[])_words.Clone(), (int[])_ints.Clone());

    public string ToCanonicalString()
    {
        if (_canonical is not null)
        {
            return _canonical;
        }

        var sb = new StringBuilder(Layout.TotalBits + (Layout.Segments.Count * 16) + (Layout.TotalIntGenes * 3));
        for (var s = 0; s < Layout.Segments.Count; s++)
        {
            var spec = Layout.Segments[s];
            if (s > 0)
            {
                sb.Append(';');
            }

            sb.Append(spec.Name).Append('=');
            var offset = Layout.BitOffset(s);
            for (var i = 0; i < spec.Bits; i++)
            {
                sb.Append(GetBitGlobal(offset + i) ? '1' : '0');
            }

            if (spec.IntGenes > 0)
            {
                sb.Append('/');
                var intOffset = Layout.IntOffset(s);
                for (var g = 0; g < spec.IntGenes; g++)
                {
                    if (g > 0)
                    {
                        sb.Append(',');
                    }

                    sb.Append(_ints[intOffset + g].ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        _canonical = sb.ToString();
        return _canonical;
    }

    public override string ToString() => ToCanonicalString();

    public bool Equals(Genome? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Layout.IsSameAs(other.Layout) && _words.AsSpan().SequenceEqual(other._words) && _ints.AsSpan().SequenceEqual(other._ints)));

    public override bool Equals(object? obj) => Equals(obj as Genome);

    /// <summary>In-process bucket hash only (deterministic, but never use it as an identity: use <see cref="ContentHash"/>).</summary>
    public override int GetHashCode()
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var w in _words)
        {
            h = (h ^ w) * 0x100000001B3UL;
        }

        foreach (var v in _ints)
        {
            h = (h ^ (uint)v) * 0x100000001B3UL;
        }

        return (int)(h ^ (h >> 32));
    }

    internal static int WordCount(int bits) => (bits + 63) >> 6;

    internal static void MaskTail(ulong[] words, int bits)
    {
        if ((bits & 63) != 0)
        {
            words[^1] &= (1UL << (bits & 63)) - 1;
        }
    }

    private SegmentSpec SegmentAt(int segment)
    {
        if ((uint)segment >= (uint)Layout.Segments.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(segment), segment, $"The layout has {Layout.Segments.Count} segments.");
        }

        return Layout.Segments[segment];
    }
}
