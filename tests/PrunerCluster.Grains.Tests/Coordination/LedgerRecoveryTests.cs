using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class LedgerRecoveryTests
{
    [Fact]
    public async Task Chunks_are_read_in_order_until_an_empty_or_partial_one()
    {
        var chunks = new Chunks();
        chunks.Stored[0] = [EvaluationLedgerTests.Rec(1), EvaluationLedgerTests.Rec(2)];
        chunks.Stored[1] = [EvaluationLedgerTests.Rec(3)];
        chunks.Stored[2] = [EvaluationLedgerTests.Rec(99)];
        var ledger = new EvaluationLedger(2);
        await LedgerRecovery.LoadAsync(chunks, ledger);
        Assert.Equal([1L, 2, 3], ledger.Snapshot().Select(r => r.CandidateId));
        Assert.False(ledger.HasUnpersisted);
        Assert.Equal([0, 1], chunks.Reads);
    }

    private sealed class Chunks : ILedgerChunkStore
    {
        public Dictionary<int, List<EvaluationRecord>> Stored { get; } = [];

        public List<int> Reads { get; } = [];

        public Task<IReadOnlyList<EvaluationRecord>> ReadChunkAsync(int index)
        {
            Reads.Add(index);
            return Task.FromResult<IReadOnlyList<EvaluationRecord>>(Stored.TryGetValue(index, out var r) ? r : []);
        }

        public Task WriteChunkAsync(int index, IReadOnlyList<EvaluationRecord> records) => throw new NotSupportedException();
    }
}
