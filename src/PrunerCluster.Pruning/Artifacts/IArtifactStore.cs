namespace PrunerCluster.Pruning.Artifacts;

/// <summary>
/// Content-addressed storage of evaluation artifacts (fine-tuned weights): a blob's key is the lowercase hex SHA-256 of its bytes, and
/// named references (e.g. an individual's key) point at blobs. Implementations verify the hash on every read.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores the bytes (idempotent) and returns their SHA-256 key.</summary>
    string Put(ReadOnlySpan<byte> content);

    /// <summary>Stores the file's bytes (idempotent, streamed rather than read whole where the store allows) and returns their SHA-256 key.</summary>
    string PutFile(string path);

    /// <summary>
    /// Writes the blob <paramref name="sha256"/>, verified, to <paramref name="path"/> (atomically: a reader never sees a partial file);
    /// false when the store does not hold it.
    /// </summary>
    bool TryWriteTo(string sha256, string path);

    /// <summary>The bytes stored under <paramref name="sha256"/>, or null when absent; throws <see cref="InvalidDataException"/> when they no longer match their key.</summary>
    byte[]? Get(string sha256);

    /// <summary>Points <paramref name="reference"/> at a stored blob (last write wins).</summary>
    void SetReference(string reference, string sha256);

    /// <summary>The blob key a reference points at, or null.</summary>
    string? GetReference(string reference);
}
