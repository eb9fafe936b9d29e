using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class RefusalMemoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_refusal_blocks_only_that_candidate_on_that_silo_until_the_silo_frees_a_slot()
    {
        var memory = new RefusalMemory(TimeSpan.FromSeconds(5));
        memory.Refused(1, "a", T0);
        Assert.True(memory.Blocks(1, "a", T0.AddSeconds(1)));
        Assert.False(memory.Blocks(1, "b", T0.AddSeconds(1)));
        Assert.False(memory.Blocks(2, "a", T0.AddSeconds(1)));
        Assert.Equal(["a"], memory.Blocking([1, 2], T0.AddSeconds(1)));

        memory.SiloFreed("b");
        Assert.True(memory.Blocks(1, "a", T0.AddSeconds(1)));
        memory.SiloFreed("a");
        Assert.False(memory.Blocks(1, "a", T0.AddSeconds(1)));
        Assert.Empty(memory.Blocking([1], T0.AddSeconds(1)));
    }

    [Fact]
    public void The_hold_expires_as_a_safety_net_and_a_booked_candidate_is_forgotten()
    {
        var memory = new RefusalMemory(TimeSpan.FromSeconds(5));
        memory.Refused(1, "a", T0);
        memory.Refused(2, "a", T0);
        Assert.True(memory.Blocks(1, "a", T0.AddSeconds(4.9)));
        Assert.False(memory.Blocks(1, "a", T0.AddSeconds(5)));

        memory.Forget(2);
        Assert.False(memory.Blocks(2, "a", T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RefusalMemory(TimeSpan.Zero));
    }
}
