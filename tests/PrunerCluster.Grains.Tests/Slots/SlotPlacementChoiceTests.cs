using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Tests.Slots;

/// <summary>The placement director's choice without Orleans: the granted silo when it is a candidate, else spread by slots.</summary>
[Trait("Category", "Unit")]
public sealed class SlotPlacementChoiceTests
{
    private static readonly (string Silo, int Slots)[] Candidates = [("a", 1), ("b", 3)];

    [Fact]
    public void The_granted_silo_is_chosen_when_it_is_a_candidate()
    {
        var choice = new SlotPlacementChoice<string>(s => s);
        Assert.Equal("a", choice.Choose(Candidates, "a"));
        Assert.Equal("a", choice.Choose(Candidates, "a"));
    }

    [Fact]
    public void Without_a_usable_grant_activations_spread_in_proportion_to_the_slots()
    {
        var choice = new SlotPlacementChoice<string>(s => s);
        var chosen = Enumerable.Range(0, 8).Select(i => choice.Choose(Candidates, i % 2 == 0 ? null : "gone")).ToList();
        Assert.Equal(2, chosen.Count(s => s == "a"));
        Assert.Equal(6, chosen.Count(s => s == "b"));
        Assert.Equal("a", chosen[0]);
    }
}
