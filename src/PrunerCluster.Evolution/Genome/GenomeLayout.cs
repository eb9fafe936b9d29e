using System.Buffers;
using System.Globalization;
using System.Text;

namespace PrunerCluster.Evolution;

/// <summary>The ordered segments of a genome, with bit and integer-gene offsets and a stable content hash.</summary>
public sealed class GenomeLayout
{
    internal const string ForbiddenNameCharacters = "=;/,:";

    private static readonly SearchValues<char> Forbidden = SearchValues.Create(ForbiddenNameCharacters);

    private readonly int[] _bitOffsets;
    private readonly int[] _intOffsets;
    private readonly Dictionary<string, int> _indexByName;

    public GenomeLayout(IReadOnlyList<SegmentSpec> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new ArgumentException("A genome layout needs at least one segment (the genome would be empty).", nameof(segments));
        }

        _bitOffsets = new int[segments.Count + 1];
        _intOffsets = new int[segments.Count + 1];
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var canonical = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i] ?? throw new ArgumentException($"Segment {i} is null.", nameof(segments));
            ValidateSegment(s, i);
            if (!_indexByName.TryAdd(s.Name, i))
            {
                throw new ArgumentException($"Segment name '{s.Name}' appears more than once.", nameof(segments));
            }

            _bitOffsets[i + 1] = checked(_bitOffsets[i] + s.Bits);
            _intOffsets[i + 1] = checked(_intOffsets[i] + s.IntGenes);
            if (i > 0)
            {
                canonical.Append(';');
            }

            canonical.Append(CultureInfo.InvariantCulture, $"{s.Name}:{s.Bits}:{s.IntGenes}:{s.IntGeneMax}:{s.MinKeep}");
        }

        Segments = [.. segments];
        TotalBits = _bitOffsets[^1];
        TotalIntGenes = _intOffsets[^1];
        if (TotalBits + TotalIntGenes == 0)
        {
            throw new ArgumentException("The genome layout has no bits and no integer genes (the genome would be empty).", nameof(segments));
        }

        CanonicalText = canonical.ToString();
        ContentHash = Sha256Hex.Of(CanonicalText);
    }

    public IReadOnlyList<SegmentSpec> Segments { get; }

    public int TotalBits { get; }

    public int TotalIntGenes { get; }

    /// <summary>Canonical text of the layout: <c>name:bits:intGenes:intGeneMax:minKeep</c> per segment, joined by ';'.</summary>
    public string CanonicalText { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="CanonicalText"/>.</summary>
    public string ContentHash { get; }

    public int IndexOf(string segmentName)
    {
        ArgumentNullException.ThrowIfNull(segmentName);
        return _indexByName.TryGetValue(segmentName, out var index)
            ? index
            : throw new ArgumentException($"The layout has no segment named '{segmentName}'.", nameof(segmentName));
    }

    public bool TryIndexOf(string segmentName, out int index) => _indexByName.TryGetValue(segmentName, out index);

    /// <summary>Global index of the first bit of <paramref name="segment"/>.</summary>
    public int BitOffset(int segment) => _bitOffsets[segment];

    /// <summary>Global index of the first integer gene of <paramref name="segment"/>.</summary>
    public int IntOffset(int segment) => _intOffsets[segment];

    /// <summary>The segment that holds global bit <paramref name="bitIndex"/>.</summary>
    public int SegmentOfBit(int bitIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bitIndex, TotalBits);
        var lo = 0;
        var hi = Segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_bitOffsets[mid] <= bitIndex)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    public bool IsSameAs(GenomeLayout other) =>
        ReferenceEquals(this, other) || (other is not null && string.Equals(ContentHash, other.ContentHash, StringComparison.Ordinal));

    private static void ValidateSegment(SegmentSpec s, int i)
    {
        string Param(string field) => $"segments[{i}].{field}";

        if (string.IsNullOrWhiteSpace(s.Name))
        {
            throw new ArgumentException($"Segment {i} has an empty name.", Param(nameof(SegmentSpec.Name)));
        }

        if (s.Name.AsSpan().ContainsAny(Forbidden) || s.Name.Any(char.IsControl) || s.Name.Trim().Length != s.Name.Length)
        {
            throw new ArgumentException(
                $"Segment name '{s.Name}' must not contain any of \"{ForbiddenNameCharacters}\", control characters or surrounding whitespace.",
                Param(nameof(SegmentSpec.Name)));
        }

        if (s.Bits < 0)
        {
            throw new ArgumentOutOfRangeException(Param(nameof(SegmentSpec.Bits)), s.Bits, $"Segment '{s.Name}': Bits must be >= 0.");
        }

        if (s.IntGenes < 0)
        {
            throw new ArgumentOutOfRangeException(Param(nameof(SegmentSpec.IntGenes)), s.IntGenes, $"Segment '{s.Name}': IntGenes must be >= 0.");
        }

        if (s.IntGeneMax < 0)
        {
            throw new ArgumentOutOfRangeException(Param(nameof(SegmentSpec.IntGeneMax)), s.IntGeneMax, $"Segment '{s.Name}': IntGeneMax must be >= 0.");
        }

        if (s.Bits + s.IntGenes == 0)
        {
            throw new ArgumentException($"Segment '{s.Name}' has no bits and no integer genes (empty genome segment).", Param(nameof(SegmentSpec.Bits)));
        }

        if (s.MinKeep < 0 || s.MinKeep > s.Bits)
        {
            throw new ArgumentOutOfRangeException(Param(nameof(SegmentSpec.MinKeep)), s.MinKeep, $"Segment '{s.Name}': MinKeep must be in [0, Bits={s.Bits}].");
        }
    }
}
