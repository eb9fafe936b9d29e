using Orleans.Storage;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class WriteAheadStoreTests
{
    [Fact]
    public async Task Ledger_chunks_are_written_before_the_state_that_counts_them()
    {
        var log = new List<string>();
        var state = new FakeState(log);
        var chunks = new FakeChunks(log);
        var ledger = new EvaluationLedger(2);
        var store = new WriteAheadStore(state, chunks, ledger, new FixedTime(DateTimeOffset.UnixEpoch));
        ledger.Append(EvaluationLedgerTests.Rec(1));
        ledger.Append(EvaluationLedgerTests.Rec(2));
        ledger.Append(EvaluationLedgerTests.Rec(3));
        Assert.True(await store.PersistAsync(() => "{engine}"));
        Assert.Equal(["chunk 0 (2)", "chunk 1 (1)", "state 3"], log);
        Assert.Equal("{engine}", state.State.AlgorithmJson);

        log.Clear();
        Assert.True(await store.PersistAsync());
        Assert.Equal(["state 3"], log);
    }

    [Fact]
    public async Task A_failed_write_makes_the_store_unhealthy_until_a_retry_succeeds_and_loses_nothing()
    {
        var log = new List<string>();
        var time = new FixedTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var state = new FakeState(log);
        var chunks = new FakeChunks(log) { Fail = true };
        var ledger = new EvaluationLedger(4);
        var store = new WriteAheadStore(state, chunks, ledger, time);
        ledger.Append(EvaluationLedgerTests.Rec(1));
        Assert.False(await store.PersistAsync());
        Assert.False(store.Healthy);
        Assert.Equal(time.GetUtcNow(), store.DownSince);
        Assert.DoesNotContain(log, l => l.StartsWith("state", StringComparison.Ordinal));
        Assert.True(ledger.HasUnpersisted);

        ledger.Append(EvaluationLedgerTests.Rec(2));
        chunks.Fail = false;
        Assert.True(await store.PersistAsync());
        Assert.True(store.Healthy);
        Assert.Null(store.DownSince);
        Assert.Equal([1L, 2], chunks.Stored[0].Select(r => r.CandidateId));
        Assert.Equal(2, state.State.LedgerCount);
    }

    [Fact]
    public async Task A_state_write_whose_answer_was_lost_is_retried_over_the_stored_etag()
    {
        var log = new List<string>();
        var state = new FakeState(log) { ConflictOnce = true };
        var store = new WriteAheadStore(state, new FakeChunks(log), new EvaluationLedger(4), new FixedTime(DateTimeOffset.UnixEpoch));
        state.State.Errors.Add("mine");
        Assert.True(await store.PersistAsync());
        Assert.Equal(["mine"], state.State.Errors);
        Assert.Equal(["state 0"], log);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FakeChunks(List<string> log) : ILedgerChunkStore
    {
        public bool Fail { get; set; }

        public Dictionary<int, List<EvaluationRecord>> Stored { get; } = [];

        public Task<IReadOnlyList<EvaluationRecord>> ReadChunkAsync(int index) =>
            Task.FromResult<IReadOnlyList<EvaluationRecord>>(Stored.TryGetValue(index, out var r) ? r : []);

        public Task WriteChunkAsync(int index, IReadOnlyList<EvaluationRecord> records)
        {
            if (Fail)
            {
                throw new TimeoutException("storage down");
            }

            Stored[index] = [.. records];
            log.Add(FormattableString.Invariant($"chunk {index} ({records.Count})"));
            return Task.CompletedTask;
        }
    }

    private sealed class FakeState(List<string> log) : IPersistentState<CoordinatorState>
    {
        public bool ConflictOnce { get; set; }

        public CoordinatorState State { get; set; } = new();

        public string? Etag { get; private set; }

        public bool RecordExists { get; private set; }

        public Task ClearStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync()
        {
            State = new CoordinatorState();
            Etag = "stored";
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            if (ConflictOnce)
            {
                ConflictOnce = false;
                throw new InconsistentStateException("etag mismatch");
            }

            log.Add(FormattableString.Invariant($"state {State.LedgerCount}"));
            RecordExists = true;
            return Task.CompletedTask;
        }
    }
}
