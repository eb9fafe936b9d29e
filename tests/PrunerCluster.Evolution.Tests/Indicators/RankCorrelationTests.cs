namespace PrunerCluster.Evolution.Tests.Indicators;

[Trait("Category", "Unit")]
public sealed class RankCorrelationTests
{
    [Fact]
    public void Tied_values_share_their_average_rank()
    {
        Assert.Equal([2, 3.5, 3.5, 1, 6, 6, 6], RankCorrelation.Ranks([10, 20, 20, 5, 30, 30, 30]));
    }

    [Fact]
    public void Published_examples_with_ties_match_scipy()
    {
        // scipy.stats.spearmanr / kendalltau (tau-b) documentation examples.
        Assert.Equal(0.8207826816681233, RankCorrelation.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);
        Assert.Equal(0.7378647873726218, RankCorrelation.KendallTauB([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);
        Assert.Equal(-0.5407380704358752, RankCorrelation.Spearman([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), 12);
        Assert.Equal(-0.47140452079103173, RankCorrelation.KendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), 12);
    }

    [Fact]
    public void Any_monotone_relation_is_perfect_agreement_and_its_reverse_perfect_disagreement()
    {
        double[] x = [0.1, 0.5, 0.2, 0.9, 0.7];
        var increasing = x.Select(v => Math.Exp(10 * v)).ToArray();
        var decreasing = x.Select(v => -v * v * v).ToArray();

        Assert.Equal(1, RankCorrelation.Spearman(x, increasing), 12);
        Assert.Equal(1, RankCorrelation.KendallTauB(x, increasing), 12);
        Assert.Equal(-1, RankCorrelation.Spearman(x, decreasing), 12);
        Assert.Equal(-1, RankCorrelation.KendallTauB(x, decreasing), 12);
    }

    [Fact]
    public void One_swapped_pair_of_five_costs_tau_two_tenths()
    {
        Assert.Equal(0.8, RankCorrelation.KendallTauB([1, 2, 3, 4, 5], [1, 2, 3, 5, 4]), 12);
        Assert.Equal(0.9, RankCorrelation.Spearman([1, 2, 3, 4, 5], [1, 2, 3, 5, 4]), 12);
    }

    [Fact]
    public void A_constant_sample_has_no_rank_correlation()
    {
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 2, 3], [4, 4, 4])));
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([4, 4, 4], [1, 2, 3])));
    }

    [Fact]
    public void Unpaired_short_or_nan_samples_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1, 2, 3], [1, 2]));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauB([1], [1]));
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1, double.NaN], [1, 2]));
    }
}
