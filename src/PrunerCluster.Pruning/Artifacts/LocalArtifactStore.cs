using System.Security.Cryptography;
using System.Text;

namespace PrunerCluster.Pruning.Artifacts;

/// <summary>
/// <see cref="IArtifactStore"/> in a local directory: blobs at <c>blobs/ab/abcdef...</c>, references at <c>refs/&lt;sha256 of name&gt;</c>.
/// Writes go to a temporary file in the same directory and are renamed into place, so readers never see partial files; several processes
/// may share the directory.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    public LocalArtifactStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public override string ToString() => $"directory '{Directory}'";

    public string Put(ReadOnlySpan<byte> content)
    {
        var key = Sha256Hex.Of(content);
        var path = BlobPath(key);
        if (File.Exists(path) && new FileInfo(path).Length == content.Length)
        {
            return key;
        }

        WriteAtomically(path, content);
        return key;
    }

    public string PutFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string key;
        using (var file = File.OpenRead(path))
        {
            key = Sha256Hex.Of(file);
        }

        var target = BlobPath(key);
        if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(path).Length)
        {
            return key;
        }

        var dir = Path.GetDirectoryName(target)!;
        System.IO.Directory.CreateDirectory(dir);
        var temp = TempPath(target);
        File.Copy(path, temp);
        using (var copy = File.OpenRead(temp))
        {
            if (Sha256Hex.Of(copy) != key)
            {
                copy.Dispose();
                File.Delete(temp);
                throw new IOException($"'{path}' changed while it was copied into the artifact store '{Directory}'.");
            }
        }

        File.Move(temp, target, overwrite: true);
        return key;
    }

    public bool TryWriteTo(string sha256, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Get(sha256) is not { } bytes)
        {
            return false;
        }

        WriteAtomically(Path.GetFullPath(path), bytes);
        return true;
    }

    /// <summary>Deletes the blob <paramref name="sha256"/> if present (a cache dropping a corrupt copy).</summary>
    public void Remove(string sha256)
    {
        CheckKey(sha256);
        File.Delete(BlobPath(sha256));
    }

    public byte[]? Get(string sha256)
    {
        CheckKey(sha256);
        var path = BlobPath(sha256);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var actual = Sha256Hex.Of(bytes);
        return actual == sha256
            ? bytes
            : throw new InvalidDataException($"Artifact '{path}' is corrupt: its SHA-256 is {actual}, not its key {sha256}.");
    }

    public void SetReference(string reference, string sha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        CheckKey(sha256);
        WriteAtomically(ReferencePath(reference), Encoding.ASCII.GetBytes(sha256));
    }

    public string? GetReference(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var path = ReferencePath(reference);
        return File.Exists(path) ? File.ReadAllText(path, Encoding.ASCII).Trim() : null;
    }

    private string BlobPath(string key) => Path.Combine(Directory, "blobs", key[..2], key);

    private string ReferencePath(string reference) =>
        Path.Combine(Directory, "refs", Sha256Hex.Of(reference));

    private static void CheckKey(string sha256)
    {
        if (sha256 is not { Length: 64 } || !sha256.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase hex SHA-256 key.", nameof(sha256));
        }
    }

    private static string TempPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");

    private static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var dir = Path.GetDirectoryName(path)!;
        System.IO.Directory.CreateDirectory(dir);
        var temp = TempPath(path);
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
