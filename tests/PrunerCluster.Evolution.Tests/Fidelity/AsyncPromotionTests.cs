namespace PrunerCluster.Evolution.Tests.Fidelity;

[Trait("Category", "Unit")]
public sealed class AsyncPromotionTests
{
    [Fact]
    public void NothingIsPromotedBeforeTheRungHoldsEtaResults()
    {
        var rung = new List<RungEntry> { new(1, [0.1, 5], 0, false), new(2, [0.2, 4], 0, false) };
        Assert.Empty(AsyncPromotion.Select(rung, 3));
        rung.Add(new(3, [0.3, 3], 0, false));
        Assert.Single(AsyncPromotion.Select(rung, 3));
    }

    [Fact]
    public void PromotesTheFirstFrontBeforeDominatedResultsAndSkipsThosePromotedBefore()
    {
        // Minimization: 1, 2 and 3 are mutually non-dominated; 4, 5, 6 are each dominated.
        var rung = new List<RungEntry>
        {
            new(4, [0.5, 5], 0, false),
            new(1, [0.1, 5], 0, false),
            new(5, [0.6, 6], 0, false),
            new(2, [0.2, 3], 0, false),
            new(6, [0.7, 7], 0, false),
            new(3, [0.4, 1], 0, false),
        };
        var first = AsyncPromotion.Select(rung, 3);
        Assert.Equal(2, first.Count);
        Assert.All(first, id => Assert.Contains(id, new long[] { 1, 2, 3 }));

        // By exclusive hypervolume contribution over the rung's normalized objectives: 3 (0.20), 2 (0.11), 1 (0.07).
        Assert.Equal([3L, 2L], first);
        var marked = rung.Select(e => first.Contains(e.CandidateId) ? e with { Promoted = true } : e).ToList();
        Assert.Empty(AsyncPromotion.Select(marked, 3));
        marked.AddRange([new(7, [0.9, 9], 0, false), new(8, [0.95, 9.5], 0, false), new(9, [0.99, 9.9], 0, false)]);
        Assert.Equal([1L], AsyncPromotion.Select(marked, 3));
    }

    [Fact]
    public void ARungNeverPromotesMoreThanItsQuotaInAll()
    {
        // 1 was promoted early; now 2 and 3 dominate it, but the quota of 6 / 3 = 2 leaves room for one more only.
        var rung = new List<RungEntry>
        {
            new(1, [0.5, 5], 0, true),
            new(2, [0.1, 2], 0, false),
            new(3, [0.2, 1.5], 0, false),
            new(4, [0.9, 9], 0, false),
            new(5, [0.8, 9], 0, false),
            new(6, [0.7, 9], 0, false),
        };
        Assert.Equal([2L], AsyncPromotion.Select(rung, 3));
    }

    [Fact]
    public void TheCheapestExtremeOfAFrontIsNotPromotedAheadOfTheKnee()
    {
        // Accuracy (maximized, so negated) against MACs: the cheapest mask is nearly useless; crowding distance would rank it first.
        var rung = new List<RungEntry>
        {
            new(1, [-0.90, 100], 0, false),
            new(2, [-0.88, 40], 0, false),
            new(3, [-0.85, 25], 0, false),
            new(4, [-0.14, 20], 0, false),
            new(5, [-0.50, 90], 0, false),
            new(6, [-0.40, 95], 0, false),
        };
        Assert.Equal([3L, 2L], AsyncPromotion.Select(rung, 3));
        Assert.Equal([3L, 2L, 4L, 1L, 5L, 6L], AsyncPromotion.Order(rung).Select(e => e.CandidateId));
    }

    [Fact]
    public void InfeasibleResultsComeLastByViolation()
    {
        var rung = new List<RungEntry>
        {
            new(1, [0.0, 0.0], 0.5, false),
            new(2, [0.9, 9], 0, false),
            new(3, [0.0, 0.0], 0.1, false),
        };
        Assert.Equal([2L, 3L, 1L], AsyncPromotion.Order(rung).Select(e => e.CandidateId));
        Assert.Equal([2L], AsyncPromotion.Select(rung, 3));
    }

    [Fact]
    public void TheOrderDoesNotDependOnTheInputOrder()
    {
        var random = new RandomSource(7);
        var rung = Enumerable.Range(0, 30).Select(i => new RungEntry(i, [random.NextDouble(), random.NextDouble()], i % 7 == 0 ? 0.2 : 0, false)).ToList();
        var shuffled = rung.OrderBy(_ => random.NextDouble()).ToList();
        Assert.Equal(AsyncPromotion.Select(rung, 3), AsyncPromotion.Select(shuffled, 3));
        Assert.Equal(10, AsyncPromotion.Select(rung, 3).Count);
    }
}
