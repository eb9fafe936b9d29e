using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace PrunerCluster.Storage.Postgres;

/// <summary>
/// The cluster's content-addressed blob store in PostgreSQL (schema migration 5): blobs keyed by the lowercase hex SHA-256
/// of their bytes, stored as chunks of <see cref="ChunkSize"/> bytes so large weights stream in and out without being held
/// whole, and named references to them. Puts are idempotent (a stored key is not uploaded again; concurrent puts of the same
/// bytes both succeed); every read is verified against its key. Synchronous: callers are evaluation threads, not grains.
/// </summary>
public sealed class PostgresArtifactStore
{
    public const int DefaultChunkSize = 1 << 20;

    private readonly string _connectionString;

    public PostgresArtifactStore(string connectionString, int chunkSize = DefaultChunkSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _connectionString = connectionString;
        ChunkSize = chunkSize;
    }

    public int ChunkSize { get; }

    /// <summary>Where the store is, for messages: host, port and database, never credentials.</summary>
    public string Describe() => PostgresOptions.Describe(_connectionString);

    public bool Contains(string sha256)
    {
        CheckKey(sha256);
        using var connection = Open();
        using var command = new NpgsqlCommand("SELECT 1 FROM prunercluster_artifact WHERE sha256 = @k", connection);
        command.Parameters.AddWithValue("k", sha256);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Stores <paramref name="content"/> (read twice: once to hash, once to upload) and returns its SHA-256 key.</summary>
    public string Put(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("The content stream must be seekable (it is hashed before it is uploaded).", nameof(content));
        }

        var start = content.Position;
        var key = Sha256Hex.Of(content);
        var size = content.Position - start;
        if (Contains(key))
        {
            return key;
        }

        content.Position = start;
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var chunks = (int)((size + ChunkSize - 1) / ChunkSize);
        using (var header = new NpgsqlCommand(
            "INSERT INTO prunercluster_artifact (sha256, size, chunk_size, chunk_count) VALUES (@k, @s, @c, @n) ON CONFLICT (sha256) DO NOTHING",
            connection,
            transaction))
        {
            header.Parameters.AddWithValue("k", key);
            header.Parameters.AddWithValue("s", size);
            header.Parameters.AddWithValue("c", ChunkSize);
            header.Parameters.AddWithValue("n", chunks);
            if (header.ExecuteNonQuery() == 0)
            {
                // Another writer stored the same bytes first (its transaction committed while we waited on the key).
                transaction.Rollback();
                return key;
            }
        }

        var buffer = new byte[ChunkSize];
        using var insert = new NpgsqlCommand("INSERT INTO prunercluster_artifact_chunk (sha256, chunk_index, data) VALUES (@k, @i, @d)", connection, transaction);
        insert.Parameters.AddWithValue("k", key);
        var index = new NpgsqlParameter<int>("i", 0);
        var data = new NpgsqlParameter<ReadOnlyMemory<byte>>("d", ReadOnlyMemory<byte>.Empty);
        insert.Parameters.Add(index);
        insert.Parameters.Add(data);
        insert.Prepare();
        for (var i = 0; i < chunks; i++)
        {
            var read = content.ReadAtLeast(buffer, (int)Math.Min(ChunkSize, size - ((long)i * ChunkSize)), throwOnEndOfStream: true);
            index.TypedValue = i;
            data.TypedValue = buffer.AsMemory(0, read);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return key;
    }

    public string Put(ReadOnlySpan<byte> content)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return Put(stream);
    }

    /// <summary>
    /// Streams the blob <paramref name="sha256"/> chunk by chunk into <paramref name="destination"/>; false when the store does not hold it.
    /// Throws <see cref="InvalidDataException"/> when the bytes read do not hash to the key or are missing chunks (nothing is trusted
    /// then: the caller discards what was written).
    /// </summary>
    public bool TryCopyTo(string sha256, Stream destination)
    {
        CheckKey(sha256);
        ArgumentNullException.ThrowIfNull(destination);
        using var connection = Open();
        long size;
        int count;
        using (var header = new NpgsqlCommand("SELECT size, chunk_count FROM prunercluster_artifact WHERE sha256 = @k", connection))
        {
            header.Parameters.AddWithValue("k", sha256);
            using var reader = header.ExecuteReader();
            if (!reader.Read())
            {
                return false;
            }

            size = reader.GetInt64(0);
            count = reader.GetInt32(1);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var chunks = new NpgsqlCommand("SELECT chunk_index, data FROM prunercluster_artifact_chunk WHERE sha256 = @k ORDER BY chunk_index", connection);
        chunks.Parameters.AddWithValue("k", sha256);
        long written = 0;
        var expected = 0;
        var buffer = new byte[Math.Min(ChunkSize, 1 << 16)];
        using (var reader = chunks.ExecuteReader(CommandBehavior.SequentialAccess))
        {
            while (reader.Read())
            {
                var index = reader.GetInt32(0);
                if (index != expected)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Artifact {sha256} in PostgreSQL at {Describe()} is missing chunk {expected}."));
                }

                expected++;
                using var data = reader.GetStream(1);
                int read;
                while ((read = data.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    destination.Write(buffer, 0, read);
                    written += read;
                }
            }
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (expected != count || written != size || actual != sha256)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Artifact {sha256} in PostgreSQL at {Describe()} is corrupt: read {expected} of {count} chunks, {written} of {size} bytes, SHA-256 {actual}."));
        }

        return true;
    }

    /// <summary>The whole blob in memory, verified; null when absent.</summary>
    public byte[]? Get(string sha256)
    {
        using var buffer = new MemoryStream();
        return TryCopyTo(sha256, buffer) ? buffer.ToArray() : null;
    }

    /// <summary>Points <paramref name="reference"/> at a stored blob (last write wins).</summary>
    public void SetReference(string reference, string sha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        CheckKey(sha256);
        using var connection = Open();
        using var command = new NpgsqlCommand(
            "INSERT INTO prunercluster_artifact_ref (name, sha256) VALUES (@n, @k) ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, updated_at = now()",
            connection);
        command.Parameters.AddWithValue("n", reference);
        command.Parameters.AddWithValue("k", sha256);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new InvalidOperationException($"Reference '{reference}' cannot point at artifact {sha256}: PostgreSQL at {Describe()} does not hold it (put it first).", ex);
        }
    }

    public string? GetReference(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        using var connection = Open();
        using var command = new NpgsqlCommand("SELECT sha256 FROM prunercluster_artifact_ref WHERE name = @n", connection);
        command.Parameters.AddWithValue("n", reference);
        return command.ExecuteScalar() is string key ? key.Trim() : null;
    }

    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void CheckKey(string sha256)
    {
        if (sha256 is not { Length: 64 } || !sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase hex SHA-256 key.", nameof(sha256));
        }
    }
}
