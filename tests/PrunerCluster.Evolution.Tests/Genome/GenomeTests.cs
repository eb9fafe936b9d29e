using System.Security.Cryptography;
using System.Text;

namespace PrunerCluster.Evolution.Tests.Genomes;

[Trait("Category", "Unit")]
public sealed class GenomeTests
{
    private static readonly GenomeLayout Layout = new(
    [
        new SegmentSpec("conv1", 3),
        new SegmentSpec("layer1.0.conv1", 70, IntGenes: 2, IntGeneMax: 4, MinKeep: 2),
        new SegmentSpec("fc", 0, IntGenes: 1, IntGeneMax: 9, MinKeep: 0),
    ]);

    [Fact]
    public void CanonicalTextRoundTripsAndHashIsSha256OfIt()
    {
        var random = new RandomSource(1);
        for (var i = 0; i < 50; i++)
        {
            var g = RandomInitialization.Create(Layout, random.NextDouble(), random);
            var text = g.ToCanonicalString();
            var parsed = Evolution.Genome.Parse(Layout, text);
            Assert.Equal(g, parsed);
            Assert.Equal(text, parsed.ToCanonicalString());
            Assert.Equal(Sha256Hex.Of(text), g.ContentHash);
            Assert.Equal(g.ContentHash, parsed.ContentHash);
        }
    }

    [Fact]
    public void CanonicalTextAndHashAreFixedValues()
    {
        var g = Evolution.Genome.Create(
            new GenomeLayout([new SegmentSpec("a", 4), new SegmentSpec("b", 2, 1, 3)]),
            [[true, false, true, true], [false, true]],
            [[], [2]]);
        Assert.Equal("a=1011;b=01/2", g.ToCanonicalString());
        Assert.Equal(Sha256Hex.Of("a=1011;b=01/2"u8), g.ContentHash);
        Assert.Equal("a:4:0:0:1;b:2:1:3:1", g.Layout.CanonicalText);
    }

    [Fact]
    public void AccessorsWorkAcrossWordBoundaries()
    {
        var bits = new bool[70];
        for (var i = 0; i < 70; i += 3)
        {
            bits[i] = true;
        }

        var g = Evolution.Genome.Create(Layout, [[true, false, true], bits, []], [[], [4, 1], [9]]);
        Assert.Equal(2, g.CountKept(0));
        Assert.Equal(24, g.CountKept(1));
        Assert.Equal(bits, g.GetSegmentBits(1));
        Assert.True(g.GetBit(1, 69));
        Assert.False(g.GetBit(1, 68));
        Assert.Equal(4, g.GetInt(1, 0));
        Assert.Equal(9, g.GetInt(2, 0));
        Assert.Equal(26.0 / 73, g.Density, 12);
        Assert.Equal(1, Evolution.Genome.Full(Layout).Density);
        Assert.Equal(1, Layout.IndexOf("layer1.0.conv1"));
        Assert.Equal(1, Layout.SegmentOfBit(72));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.GetBit(0, 3));
    }

    [Fact]
    public void EqualityIsByContent()
    {
        var a = Evolution.Genome.Full(Layout);
        var b = Evolution.Genome.Parse(Layout, a.ToCanonicalString());
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var builder = a.ToBuilder();
        builder.FlipBit(5);
        Assert.NotEqual(a, builder.ToGenome());
        Assert.True(a.GetBitGlobal(5));
    }

    [Theory]
    [InlineData("conv1=101;layer1.0.conv1=0;fc=/1")]
    [InlineData("conv1=10x;layer1.0.conv1=0000000000000000000000000000000000000000000000000000000000000000000000/0,0;fc=/1")]
    [InlineData("conv1=101;layer1.0.conv1=0000000000000000000000000000000000000000000000000000000000000000000000/0,5;fc=/1")]
    [InlineData("conv1=101;layer1.0.conv1=0000000000000000000000000000000000000000000000000000000000000000000000/0,0")]
    [InlineData("x=101;layer1.0.conv1=0000000000000000000000000000000000000000000000000000000000000000000000/0,0;fc=/1")]
    [InlineData("conv1=101;layer1.0.conv1=0000000000000000000000000000000000000000000000000000000000000000000000/0,01;fc=/1")]
    public void ParseRejectsMalformedText(string text) =>
        Assert.Throws<FormatException>(() => Evolution.Genome.Parse(Layout, text));

    [Fact]
    public void CreateRejectsWrongShapes()
    {
        Assert.Throws<ArgumentException>(() => Evolution.Genome.Create(Layout, [new bool[3], new bool[70]]));
        Assert.Throws<ArgumentException>(() => Evolution.Genome.Create(Layout, [new bool[3], new bool[69], []]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evolution.Genome.Create(Layout, [new bool[3], new bool[70], []], [[], [5, 0], [0]]));
    }

    [Fact]
    public void LayoutRejectsEmptyAndInvalidSegmentsNamingTheParameter()
    {
        Assert.Equal("segments", Assert.Throws<ArgumentException>(() => new GenomeLayout([])).ParamName);
        Assert.Equal("segments[0].Bits", Assert.Throws<ArgumentException>(() => new GenomeLayout([new SegmentSpec("a", 0, MinKeep: 0)])).ParamName);
        Assert.Equal("segments[0].MinKeep", Assert.Throws<ArgumentOutOfRangeException>(() => new GenomeLayout([new SegmentSpec("a", 2, MinKeep: 3)])).ParamName);
        Assert.Equal("segments[1].Name", Assert.Throws<ArgumentException>(() => new GenomeLayout([new SegmentSpec("a", 2), new SegmentSpec("b;c", 2)])).ParamName);
        Assert.Throws<ArgumentException>(() => new GenomeLayout([new SegmentSpec("a", 2), new SegmentSpec("a", 2)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenomeLayout([new SegmentSpec("a", -1)]));
        Assert.NotEqual(new GenomeLayout([new SegmentSpec("a", 2)]).ContentHash, new GenomeLayout([new SegmentSpec("a", 3)]).ContentHash);
    }
}
