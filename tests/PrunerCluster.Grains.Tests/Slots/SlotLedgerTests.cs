using PrunerCluster.Contracts;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Tests.Slots;

/// <summary>
/// The scheduler's fair-share rule on a deterministic schedule: every evaluation holds its slot for a fixed number of
/// ticks, an experiment asks again as its evaluations finish, and a waiting experiment is nudged whenever a slot is left
/// free, as the grain does. After the first evaluations finish, the slots are held exactly in proportion to the weights.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SlotLedgerTests
{
    private static readonly TimeSpan Validity = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(new[] { 2.0, 1.0 }, 6, 1, new[] { 4, 2 })]
    [InlineData(new[] { 2.0, 1.0 }, 6, 3, new[] { 4, 2 })]
    [InlineData(new[] { 3.0, 1.0 }, 8, 3, new[] { 6, 2 })]
    [InlineData(new[] { 1.0, 1.0, 2.0 }, 8, 5, new[] { 2, 2, 4 })]
    public void Slots_are_held_exactly_in_proportion_to_the_weights_once_the_first_evaluations_finish(double[] weights, int slots, int duration, int[] expected)
    {
        var history = Simulate(weights, new Dictionary<string, int> { ["silo-a"] = slots / 2, ["silo-b"] = slots - (slots / 2) }, duration, ticks: 40);
        for (var tick = (2 * duration) + 1; tick < history.Count; tick++)
        {
            Assert.Equal(expected, history[tick]);
        }
    }

    [Fact]
    public void A_lighter_experiment_arriving_late_is_nudged_into_its_share_and_never_starves()
    {
        var history = Simulate([2.0, 1.0], new Dictionary<string, int> { ["silo-a"] = 6 }, duration: 2, ticks: 20, arrivals: [0, 7]);
        Assert.Equal([6, 0], history[6]);
        Assert.Equal([4, 2], history[^1]);
    }

    [Fact]
    public void A_cap_bounds_an_experiment_and_the_rest_goes_to_the_others()
    {
        var ledger = new SlotLedger();
        var capacity = new Dictionary<string, int> { ["silo-a"] = 6 };
        var now = DateTimeOffset.UnixEpoch;
        var capped = new SlotRequest { ExperimentId = "capped", Weight = 5, Cap = 2, Want = 6 };
        var books = ledger.Record(capped, capacity, now);
        var (grants, _) = ledger.Grant(books, capped, capacity, Classes(capacity), ledger.Used(capacity), now, Validity);
        Assert.Equal(2, grants.Count);
        var other = new SlotRequest { ExperimentId = "other", Want = 6 };
        books = ledger.Record(other, capacity, now);
        (grants, _) = ledger.Grant(books, other, capacity, Classes(capacity), ledger.Used(capacity), now, Validity);
        Assert.Equal(4, grants.Count);
        Assert.Equal(2.0, ledger.FairShares(6)["capped"], 9);
        Assert.Equal(4.0, ledger.FairShares(6)["other"], 9);
    }

    /// <summary>Slots held per experiment at the end of each tick.</summary>
    private static List<int[]> Simulate(double[] weights, Dictionary<string, int> capacity, int duration, int ticks, int[]? arrivals = null)
    {
        var ledger = new SlotLedger();
        var classes = Classes(capacity);
        var names = weights.Select((_, i) => "experiment-" + i).ToArray();
        var running = names.ToDictionary(n => n, _ => new List<(string Silo, int Until)>(), StringComparer.Ordinal);
        var history = new List<int[]>();
        for (var tick = 0; tick < ticks; tick++)
        {
            var now = DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(tick);
            var order = tick % 2 == 0 ? names : [.. names.Reverse()];
            foreach (var name in order.Where(n => (arrivals?[Array.IndexOf(names, n)] ?? 0) <= tick))
            {
                if (Ask(name, tick, now))
                {
                    foreach (var nudged in ledger.DueForNudge(name, now, Validity, TimeSpan.Zero))
                    {
                        Ask(nudged.ExperimentId, tick, now);
                    }
                }
            }

            history.Add([.. names.Select(n => running[n].Count(r => r.Until > tick))]);
        }

        return history;

        // One coordinator tick: report what still runs, ask for more, start what is granted; true when slots are left free.
        bool Ask(string name, int tick, DateTimeOffset now)
        {
            running[name].RemoveAll(r => r.Until <= tick);
            var request = new SlotRequest
            {
                ExperimentId = name,
                Weight = weights[Array.IndexOf(names, name)],
                Want = 100,
                Held = running[name].GroupBy(r => r.Silo).ToDictionary(g => g.Key, g => g.Count()),
            };
            var books = ledger.Record(request, capacity, now);
            var used = ledger.Used(capacity);
            var (grants, _) = ledger.Grant(books, request, capacity, classes, used, now, Validity);
            running[name].AddRange(grants.Select(silo => (silo, tick + duration)));
            return used.Values.Sum() < capacity.Values.Sum();
        }
    }

    private static Dictionary<string, string> Classes(Dictionary<string, int> capacity) => capacity.Keys.ToDictionary(k => k, _ => "cpu", StringComparer.Ordinal);
}
