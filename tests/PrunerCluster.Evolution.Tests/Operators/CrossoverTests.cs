namespace PrunerCluster.Evolution.Tests.Operators;

[Trait("Category", "Unit")]
public sealed class CrossoverTests
{
    private static readonly GenomeLayout Layout = new(
    [
        new SegmentSpec("a", 50, IntGenes: 2, IntGeneMax: 5),
        new SegmentSpec("b", 90, IntGenes: 1, IntGeneMax: 5),
        new SegmentSpec("c", 7),
    ]);

    public static TheoryData<CrossoverKind> Kinds => new() { CrossoverKind.Uniform, CrossoverKind.SinglePoint, CrossoverKind.TwoPoint, CrossoverKind.SegmentWise };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ChildrenAreComplementaryMixesOfTheParents(CrossoverKind kind)
    {
        var random = new RandomSource(1);
        var crossover = Evolution.Operators.Crossover(kind);
        for (var t = 0; t < 100; t++)
        {
            var p1 = RandomInitialization.Create(Layout, 0.5, random);
            var p2 = RandomInitialization.Create(Layout, 0.5, random);
            var (c1, c2) = crossover.Cross(p1, p2, random);
            for (var i = 0; i < Layout.TotalBits; i++)
            {
                var fromFirst = c1.GetBitGlobal(i) == p1.GetBitGlobal(i) && c2.GetBitGlobal(i) == p2.GetBitGlobal(i);
                var fromSecond = c1.GetBitGlobal(i) == p2.GetBitGlobal(i) && c2.GetBitGlobal(i) == p1.GetBitGlobal(i);
                Assert.True(fromFirst || fromSecond);
            }

            for (var s = 0; s < Layout.Segments.Count; s++)
            {
                for (var g = 0; g < Layout.Segments[s].IntGenes; g++)
                {
                    var (a, b, x, y) = (c1.GetInt(s, g), c2.GetInt(s, g), p1.GetInt(s, g), p2.GetInt(s, g));
                    Assert.True((a == x && b == y) || (a == y && b == x));
                }
            }
        }
    }

    [Fact]
    public void SinglePointTakesAPrefixFromOneParent()
    {
        var random = new RandomSource(2);
        var zeros = new GenomeBuilder(Layout).ToGenome();
        var ones = Evolution.Genome.Full(Layout);
        for (var t = 0; t < 50; t++)
        {
            var (child, _) = new SinglePointCrossover().Cross(ones, zeros, random);
            var bits = Enumerable.Range(0, Layout.TotalBits).Select(child.GetBitGlobal).ToList();
            var cut = bits.IndexOf(false);
            Assert.InRange(cut, 1, Layout.TotalBits - 1);
            Assert.All(bits.Skip(cut), Assert.False);
        }
    }

    [Fact]
    public void SegmentWiseMovesWholeSegments()
    {
        var random = new RandomSource(3);
        var zeros = new GenomeBuilder(Layout).ToGenome();
        var ones = Evolution.Genome.Full(Layout);
        var seen = new HashSet<string>();
        for (var t = 0; t < 50; t++)
        {
            var (child, _) = new SegmentWiseCrossover().Cross(ones, zeros, random);
            for (var s = 0; s < Layout.Segments.Count; s++)
            {
                Assert.Contains(child.CountKept(s), new[] { 0, Layout.Segments[s].Bits });
            }

            seen.Add(string.Join(",", Enumerable.Range(0, 3).Select(child.CountKept)));
        }

        Assert.True(seen.Count >= 6);
    }

    [Fact]
    public void ParentsWithDifferentLayoutsAreRejected()
    {
        var other = Evolution.Genome.Full(new GenomeLayout([new SegmentSpec("z", 3)]));
        Assert.Throws<ArgumentException>(() => new UniformCrossover().Cross(Evolution.Genome.Full(Layout), other, new RandomSource(1)));
    }
}
