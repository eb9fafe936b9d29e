using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class EvaluationLedgerTests
{
    internal static EvaluationRecord Rec(long id, bool ok = true) => new()
    {
        CandidateId = id,
        IndividualKey = "k" + id,
        MaskHash = "h" + id + new string('0', 12),
        Succeeded = ok,
        FailureReason = ok ? null : "bad",
    };

    [Fact]
    public void Appends_once_per_candidate_and_counts_failures()
    {
        var ledger = new EvaluationLedger(4);
        Assert.True(ledger.Append(Rec(1)));
        Assert.True(ledger.Append(Rec(2, ok: false)));
        Assert.False(ledger.Append(Rec(1, ok: false)));
        Assert.Equal(2, ledger.Count);
        Assert.Equal(1, ledger.Failed);
        Assert.True(ledger.Find(1)!.Succeeded);
        Assert.Null(ledger.Find(3));
    }

    [Fact]
    public void Only_the_chunks_holding_new_records_are_written_and_full_chunks_never_again()
    {
        var ledger = new EvaluationLedger(3);
        for (var i = 1; i <= 4; i++)
        {
            ledger.Append(Rec(i));
        }

        var first = ledger.Unpersisted();
        Assert.Equal([0, 1], first.Select(c => c.Index));
        Assert.Equal([1L, 2, 3], first[0].Records.Select(r => r.CandidateId));
        Assert.Equal([4L], first[1].Records.Select(r => r.CandidateId));
        ledger.MarkPersisted(first[^1].PersistsUpTo);
        Assert.Empty(ledger.Unpersisted());

        ledger.Append(Rec(5));
        var second = ledger.Unpersisted();
        var only = Assert.Single(second);
        Assert.Equal(1, only.Index);
        Assert.Equal([4L, 5], only.Records.Select(r => r.CandidateId));
        Assert.Equal(5, only.PersistsUpTo);
    }

    [Fact]
    public void Loaded_chunks_count_as_persisted_and_must_come_in_order()
    {
        var ledger = new EvaluationLedger(2);
        ledger.LoadChunk(0, [Rec(1), Rec(2)]);
        ledger.LoadChunk(1, [Rec(3)]);
        Assert.Equal(3, ledger.PersistedCount);
        Assert.False(ledger.HasUnpersisted);
        Assert.Throws<InvalidOperationException>(() => new EvaluationLedger(2).LoadChunk(1, [Rec(1)]));
        Assert.Throws<InvalidOperationException>(() => new EvaluationLedger(2).LoadChunk(0, [Rec(1), Rec(2), Rec(3)]));
    }

    [Fact]
    public void Snapshots_are_immutable_copies()
    {
        var ledger = new EvaluationLedger(8);
        ledger.Append(Rec(1));
        var snap = ledger.Snapshot();
        ledger.Append(Rec(2));
        Assert.Single(snap);
        Assert.Equal(2, ledger.Snapshot().Count);
    }
}
