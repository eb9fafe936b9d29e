using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class LeasePolicyAndInFlightTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static InFlightEvaluation Entry(long id, string? silo, DateTimeOffset contact) =>
        new() { CandidateId = id, Key = "key" + id, Silo = silo, LastContact = contact };

    [Fact]
    public void Dead_silo_means_reissue_silence_beyond_the_lease_means_poll()
    {
        var policy = new LeasePolicy(TimeSpan.FromSeconds(30));
        bool Alive(string s) => s == "alive";
        Assert.Equal(LeaseAction.Wait, policy.Decide(Entry(1, "alive", T0), T0.AddSeconds(29), Alive));
        Assert.Equal(LeaseAction.Poll, policy.Decide(Entry(1, "alive", T0), T0.AddSeconds(30), Alive));
        Assert.Equal(LeaseAction.Reissue, policy.Decide(Entry(1, "dead", T0), T0, Alive));
        Assert.Equal(LeaseAction.Wait, policy.Decide(Entry(1, null, T0), T0.AddHours(1), Alive));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeasePolicy(TimeSpan.Zero));
    }

    [Fact]
    public void Table_indexes_by_key_counts_held_slots_and_releases()
    {
        var entries = new Dictionary<long, InFlightEvaluation>();
        var table = new InFlightTable(entries);
        table.Add(Entry(2, "a", T0));
        table.Add(Entry(1, "a", T0));
        table.Add(Entry(3, null, T0));
        Assert.Equal(3, entries.Count);
        Assert.True(table.TryGetByKey("key1", out var id));
        Assert.Equal(1, id);
        Assert.Equal(2, table.HeldPerSilo()["a"]);
        Assert.Equal([3L], table.Waiting().Select(e => e.CandidateId));

        var two = entries[2];
        InFlightTable.Release(two, T0.AddSeconds(5));
        Assert.Null(two.Silo);
        Assert.Equal([2L, 3], table.Waiting().Select(e => e.CandidateId));

        Assert.True(table.Remove(1, out _));
        Assert.False(table.TryGetByKey("key1", out _));
        Assert.False(table.Remove(1, out _));
    }

    [Fact]
    public void Restored_table_rebuilds_its_key_index_and_forgets_contact_times()
    {
        var entries = new Dictionary<long, InFlightEvaluation> { [7] = Entry(7, "a", T0) };
        var table = new InFlightTable(entries);
        Assert.True(table.TryGetByKey("key7", out _));
        table.ForgetContact();
        Assert.Equal(LeaseAction.Poll, new LeasePolicy(TimeSpan.FromSeconds(30)).Decide(entries[7], T0, _ => true));
    }
}
