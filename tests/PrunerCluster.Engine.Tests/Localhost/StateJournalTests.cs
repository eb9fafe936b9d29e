using System.Text;
using PrunerCluster.Engine.Localhost;

namespace PrunerCluster.Engine.Tests.Localhost;

/// <summary>The embedded silo's state journal: a torn or corrupt last line (a kill -9 mid-write) is ignored and cut off, never misread.</summary>
[Trait("Category", "Unit")]
public sealed class StateJournalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "prunercluster-journal-" + Guid.NewGuid().ToString("N")[..12]);

    public StateJournalTests() => Directory.CreateDirectory(_directory);

    private string JournalPath => Path.Combine(_directory, "state.journal");

    private static StoredRecord Record(string text, long version) => new(Encoding.UTF8.GetBytes(text), version);

    private void WriteThree()
    {
        using var journal = StateJournal.Create(JournalPath, [new("a", Record("one", 1))]);
        journal.Append("b", Record("two", 1));
        journal.Append("a", Record("three", 2));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_on_read_and_cut_off_before_the_next_append()
    {
        WriteThree();
        var whole = File.ReadAllBytes(JournalPath);
        var next = StateJournal.Format(new JournalEntry("c", Record("four", 1)));
        File.AppendAllText(JournalPath, Encoding.UTF8.GetString(next, 0, next.Length / 2));

        var torn = StateJournal.Read(JournalPath);
        Assert.Equal(3, torn.Entries.Count);
        Assert.Equal(whole.Length, torn.ValidLength);
        Assert.Equal(next.Length / 2, torn.IgnoredBytes);
        Assert.Equal("three", Encoding.UTF8.GetString(torn.Latest()["a"].Data));

        using (var journal = StateJournal.Open(JournalPath, out var opened))
        {
            Assert.Equal(next.Length / 2, opened.IgnoredBytes);
            journal.Append("c", Record("five", 1));
        }

        var healed = StateJournal.Read(JournalPath);
        Assert.Equal(0, healed.IgnoredBytes);
        Assert.Equal(["a", "b", "a", "c"], healed.Entries.Select(e => e.Key));
        Assert.Equal("five", Encoding.UTF8.GetString(healed.Latest()["c"].Data));
    }

    [Fact]
    public void A_complete_line_whose_checksum_does_not_match_ends_the_valid_part()
    {
        WriteThree();
        var bytes = File.ReadAllBytes(JournalPath);
        var lastLine = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        var payload = Array.IndexOf(bytes, (byte)'"', lastLine);
        bytes[payload + 1] ^= 0x01;
        File.WriteAllBytes(JournalPath, bytes);

        var read = StateJournal.Read(JournalPath);

        Assert.Equal(2, read.Entries.Count);
        Assert.Equal(bytes.Length - lastLine, read.IgnoredBytes);
        Assert.Equal("one", Encoding.UTF8.GetString(read.Latest()["a"].Data));
    }

    [Fact]
    public void The_latest_record_of_each_key_wins_and_a_cleared_key_is_gone_after_a_reload()
    {
        var store = new LocalhostRecordStore();
        store.Attach(JournalPath, resume: false);
        Assert.Equal(1, store.Write("x", [1], 0));
        Assert.Equal(2, store.Write("x", [2], 1));
        Assert.Equal(-1, store.Write("x", [3], 1));
        Assert.Equal(1, store.Write("y", [4], 0));
        store.Clear("y");
        store.Dispose();

        using var reloaded = new LocalhostRecordStore();
        var contents = reloaded.Attach(JournalPath, resume: true);

        Assert.Equal(4, contents.Entries.Count);
        Assert.Equal(new StoredRecord([2], 2).Version, reloaded.Read("x")!.Version);
        Assert.Equal([2], reloaded.Read("x")!.Data);
        Assert.Null(reloaded.Read("y"));
        Assert.Equal(3, reloaded.Write("x", [5], 2));
    }

    [Fact]
    public void Seeded_records_count_as_reused_once_each_when_read_and_never_replace_held_ones()
    {
        using var store = new LocalhostRecordStore();
        store.Write("held", [9], 0);

        var added = store.Seed([new("held", new StoredRecord([1], 1)), new("s1", new StoredRecord([2], 1)), new("s2", new StoredRecord([3], 1))]);
        store.Read("s1");
        store.Read("s1");
        store.Read("held");

        Assert.Equal(2, added);
        Assert.Equal(1, store.Reused);
        Assert.Equal([9], store.Read("held")!.Data);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
