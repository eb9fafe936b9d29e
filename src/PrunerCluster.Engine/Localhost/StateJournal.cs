using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrunerCluster.Engine.Localhost;

/// <summary>
/// An append-only file of grain-state records that survives a kill -9 mid-write: one line per write,
/// <c>&lt;16 hex digits of the line's SHA-256&gt; &lt;json&gt;\n</c>, flushed to disk before the write returns. A reader
/// stops at the first line that is unterminated or whose checksum does not match (a torn last write) and ignores the
/// rest; <see cref="Open"/> cuts such a tail off before appending. The last line of a key wins; a line without data
/// clears it.
/// </summary>
public sealed partial class StateJournal : IDisposable
{
    private const int ChecksumLength = 16;

    private readonly FileStream _file;

    private StateJournal(string path, FileStream file)
    {
        Path = path;
        _file = file;
    }

    public string Path { get; }

    /// <summary>Bytes written to the file so far (after <see cref="Open"/>: its valid part).</summary>
    public long Length => _file.Length;

    /// <summary>Every valid record of <paramref name="path"/>, in order; <c>IgnoredBytes</c> counts a torn tail left out.</summary>
    public static JournalContents Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var entries = new List<JournalEntry>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', offset);
            if (end < 0 || Parse(bytes.AsSpan(offset, end - offset)) is not { } entry)
            {
                break;
            }

            entries.Add(entry);
            offset = end + 1;
        }

        return new JournalContents(entries, offset, bytes.Length - offset);
    }

    /// <summary>Opens <paramref name="path"/> for appending (created when missing), cutting off a torn tail first; an IOException when another process holds it.</summary>
    public static StateJournal Open(string path, out JournalContents contents)
    {
        contents = File.Exists(path) ? Read(path) : new JournalContents([], 0, 0);
        // Exclusive (an advisory lock on Unix): a second search resuming the same run while this one writes is refused.
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
        file.SetLength(contents.ValidLength);
        file.Flush(flushToDisk: true);
        file.Seek(0, SeekOrigin.End);
        return new StateJournal(path, file);
    }

    /// <summary>Writes <paramref name="records"/> as a new journal at <paramref name="path"/> atomically (temporary file, fsync, rename) and opens it.</summary>
    public static StateJournal Create(string path, IEnumerable<KeyValuePair<string, StoredRecord>> records)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var (key, record) in records)
            {
                file.Write(Format(new JournalEntry(key, record)));
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return Open(path, out _);
    }

    /// <summary>Appends one record (null: the key was cleared) and flushes it to disk.</summary>
    public void Append(string key, StoredRecord? record)
    {
        _file.Write(Format(new JournalEntry(key, record)));
        _file.Flush(flushToDisk: true);
    }

    public void Dispose() => _file.Dispose();

    internal static byte[] Format(JournalEntry entry)
    {
        var json = JsonSerializer.Serialize(new Line(entry.Key, entry.Record?.Version ?? 0, entry.Record is null ? null : Convert.ToBase64String(entry.Record.Data)), LineJson.Default.Line);
        return Encoding.UTF8.GetBytes(Sha256Hex.Of(json)[..ChecksumLength] + " " + json + "\n");
    }

    private static JournalEntry? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= ChecksumLength + 1 || bytes[ChecksumLength] != (byte)' ')
        {
            return null;
        }

        var json = Encoding.UTF8.GetString(bytes[(ChecksumLength + 1)..]);
        if (!string.Equals(Sha256Hex.Of(json)[..ChecksumLength], Encoding.ASCII.GetString(bytes[..ChecksumLength]), StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var line = JsonSerializer.Deserialize(json, LineJson.Default.Line);
            return line is null ? null : new JournalEntry(line.K, line.D is null ? null : new StoredRecord(Convert.FromBase64String(line.D), line.V));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    internal sealed record Line(string K, long V, string? D);

    [JsonSerializable(typeof(Line))]
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    internal sealed partial class LineJson : JsonSerializerContext;
}
