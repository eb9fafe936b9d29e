using PrunerCluster.Contracts;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Tests.Slots;

/// <summary>The slot scheduler grain's decisions without Orleans: grants, nudges, forgetting and the silos' reported counts.</summary>
[Trait("Category", "Unit")]
public sealed class SlotSchedulingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SlotCapacity Capacity = new(
        new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 },
        new Dictionary<string, string> { ["a"] = "cpu", ["b"] = "cpu" },
        RunSlots: 4);

    private static SlotScheduling NewScheduling() => new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2));

    [Fact]
    public void A_slot_left_free_for_a_better_entitled_experiment_nudges_it_once_per_interval()
    {
        var scheduling = NewScheduling();
        var first = scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 4 }, Capacity, T0);
        Assert.Equal(["a", "b", "a", "b"], first.Grant.Silos);
        Assert.Equal(0, first.Grant.FreeSlots);

        scheduling.Acquire(new SlotRequest { ExperimentId = "y", Want = 4 }, Capacity, T0);
        var freed = scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 1, Held = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 } }, Capacity, T0);
        Assert.Empty(freed.Grant.Silos);
        Assert.Equal(["y"], freed.Nudge);

        var again = scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 1, Held = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 } }, Capacity, T0 + TimeSpan.FromMilliseconds(50));
        Assert.Empty(again.Nudge);
        var later = scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 1, Held = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 } }, Capacity, T0 + SlotScheduling.NudgeInterval);
        Assert.Equal(["y"], later.Nudge);
        Assert.Equal(["b"], scheduling.Acquire(new SlotRequest { ExperimentId = "y", Want = 4 }, Capacity, T0 + SlotScheduling.NudgeInterval).Grant.Silos);
    }

    [Fact]
    public void Counts_reported_by_the_silos_stand_in_until_the_deadline()
    {
        var scheduling = NewScheduling();
        scheduling.Reported(new Dictionary<string, int> { ["a"] = 2 }, T0 + TimeSpan.FromSeconds(3));
        Assert.Equal(["b", "b"], scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 4 }, Capacity, T0).Grant.Silos);
        Assert.Equal(["a", "a"], scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 4, Held = new Dictionary<string, int> { ["b"] = 2 } }, Capacity, T0 + TimeSpan.FromSeconds(3)).Grant.Silos);
    }

    [Fact]
    public void An_experiment_not_seen_for_the_forget_time_is_forgotten_and_one_leaving_frees_its_slots()
    {
        var scheduling = NewScheduling();
        scheduling.Acquire(new SlotRequest { ExperimentId = "x", Want = 4 }, Capacity, T0);
        Assert.True(scheduling.Knows("x"));
        var late = T0 + TimeSpan.FromMinutes(3);
        Assert.Equal(4, scheduling.Acquire(new SlotRequest { ExperimentId = "y", Want = 4 }, Capacity, late).Grant.Silos.Count);
        Assert.False(scheduling.Knows("x"));

        scheduling.Acquire(new SlotRequest { ExperimentId = "z", Want = 2 }, Capacity, late);
        Assert.Equal(["z"], scheduling.Leave("y", late));
        Assert.Equal(0, scheduling.Snapshot(Capacity, late).UsedBySilo.Values.Sum());
    }
}
