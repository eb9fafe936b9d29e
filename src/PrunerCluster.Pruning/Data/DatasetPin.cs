using System.Collections.Concurrent;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// The content of a data set as an experiment pins it: the SHA-256 of every file under the data set's root, by path relative
/// to the root. Each silo keeps its own copy of the data at its own root; before it evaluates, it checks its copy against the
/// pin and refuses the work when a file differs. Hashes are cached per file (path, size, modification time), so a check
/// re-reads only files that changed.
/// </summary>
public static class DatasetPin
{
    private static readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, string Hash)> Known = new(StringComparer.Ordinal);

    /// <summary>The root a checkpoint's data set is read from on this machine; null when it cannot be named (unknown format).</summary>
    public static string? RootOf(string dataset, string? dataRoot, DatasetDescriptor? source) =>
        source?.Root ?? (string.IsNullOrWhiteSpace(dataset) ? null : DatasetDescriptor.FromName(dataset, dataRoot)?.Root);

    /// <summary>Relative path (with '/') to lowercase hex SHA-256 of every file under <paramref name="root"/>, in ordinal order.</summary>
    public static IReadOnlyDictionary<string, string> Compute(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DatasetException($"Data set folder '{full}' does not exist; cannot pin its content.");
        }

        var pin = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
        {
            pin[Path.GetRelativePath(full, file).Replace('\\', '/')] = HashOf(file);
        }

        return pin;
    }

    /// <summary>The pin as text, one "relative path TAB sha256" line per file in ordinal order: its SHA-256 is the data set's content hash.</summary>
    public static string ManifestText(IReadOnlyDictionary<string, string> pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var text = new System.Text.StringBuilder();
        foreach (var (file, hash) in pin.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(file).Append('\t').Append(hash).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The data set's content hash: SHA-256 of its <see cref="ManifestText"/>.</summary>
    public static string ContentHash(IReadOnlyDictionary<string, string> pin) => Sha256Hex.Of(ManifestText(pin));

    /// <summary>Reads a <see cref="ManifestText"/> back.</summary>
    public static IReadOnlyDictionary<string, string> ParseManifest(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pin = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.LastIndexOf('\t');
            if (tab <= 0)
            {
                throw new InvalidDataException($"Data set manifest line '{line}' is not 'path<TAB>sha256'.");
            }

            pin[line[..tab]] = line[(tab + 1)..];
        }

        return pin;
    }

    /// <summary>
    /// Null when the files under <paramref name="root"/> are exactly the pinned ones; else one line naming the first file that
    /// differs (changed, missing or extra) with this silo's and the experiment's hashes.
    /// </summary>
    public static string? Mismatch(IReadOnlyDictionary<string, string> pinned, string root, string silo)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        var full = Path.GetFullPath(root);
        var local = Directory.Exists(full) ? Compute(full) : new Dictionary<string, string>();
        foreach (var (file, expected) in pinned.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = Path.Combine(full, file);
            if (!local.TryGetValue(file, out var actual))
            {
                return $"data set file '{path}' is missing on silo {silo}; the experiment pinned SHA-256 {expected}";
            }

            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                return $"data set file '{path}' on silo {silo} has SHA-256 {actual}, the experiment pinned {expected}";
            }
        }

        var extra = local.Keys.Where(k => !pinned.ContainsKey(k)).Order(StringComparer.Ordinal).FirstOrDefault();
        return extra is null
            ? null
            : $"data set file '{Path.Combine(full, extra)}' on silo {silo} has SHA-256 {local[extra]}, the experiment pinned no such file";
    }

    private static string HashOf(string file)
    {
        var info = new FileInfo(file);
        if (Known.TryGetValue(info.FullName, out var known) && known.Stamp == info.LastWriteTimeUtc && known.Length == info.Length)
        {
            return known.Hash;
        }

        var hash = Sha256Hex.OfFile(info.FullName);
        Known[info.FullName] = (info.LastWriteTimeUtc, info.Length, hash);
        return hash;
    }
}
