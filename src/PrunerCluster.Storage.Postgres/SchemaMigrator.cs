using System.Globalization;
using System.Reflection;
using Npgsql;

namespace PrunerCluster.Storage.Postgres;

/// <summary>
/// Applies the cluster schema's forward migrations to a PostgreSQL database: each once, in order, in one transaction under an
/// advisory lock (so silos starting together and <c>prunercluster db init</c> never race), recorded in
/// <c>prunercluster_schema_version</c>. Running it again is a no-op; a database with a changed or unknown migration is refused.
/// </summary>
public static class SchemaMigrator
{
    public const string VersionTable = "prunercluster_schema_version";
    private const string ResourcePrefix = "PrunerCluster.Sql.";

    /// <summary>Advisory lock key: the first 8 bytes of SHA-256("prunercluster-schema").</summary>
    private const long LockKey = 0x5f1b_3c2e_7a90_4d11;

    public static IReadOnlyList<SchemaMigration> Migrations { get; } = Load();

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task<SchemaMigrationResult> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, FormattableString.Invariant($"SELECT pg_advisory_xact_lock({LockKey})"), cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            $"""
            CREATE TABLE IF NOT EXISTS {VersionTable}
            (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                sha256     char(64)    NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            cancellationToken).ConfigureAwait(false);

        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        Check(applied);
        var from = applied.Count == 0 ? 0 : applied.Keys.Max();
        var done = new List<SchemaMigration>();
        foreach (var migration in Migrations.Where(m => !applied.ContainsKey(m.Version)))
        {
            try
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new SchemaMigrationException($"migration {migration.Version} ({migration.Name}) failed: {ex.MessageText} (SQLSTATE {ex.SqlState}); nothing was changed.", ex);
            }

            await using var record = new NpgsqlCommand($"INSERT INTO {VersionTable} (version, name, sha256) VALUES (@v, @n, @h)", connection, transaction);
            record.Parameters.AddWithValue("v", migration.Version);
            record.Parameters.AddWithValue("n", migration.Name);
            record.Parameters.AddWithValue("h", migration.Sha256);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            done.Add(migration);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SchemaMigrationResult(from, Math.Max(from, done.Count == 0 ? from : done[^1].Version), done);
    }

    /// <summary>The highest applied version, or 0 for a database without the schema.</summary>
    public static async Task<int> CurrentVersionAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection);
        exists.Parameters.AddWithValue("t", VersionTable);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return 0;
        }

        await using var max = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {VersionTable}", connection);
        return Convert.ToInt32(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static void Check(Dictionary<int, string> applied)
    {
        foreach (var (version, sha) in applied.OrderBy(a => a.Key))
        {
            var known = Migrations.FirstOrDefault(m => m.Version == version)
                ?? throw new SchemaMigrationException(FormattableString.Invariant($"the database has schema migration {version}, which this build does not know (it knows 1..{LatestVersion}); use a newer prunercluster."));
            if (!string.Equals(known.Sha256, sha.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new SchemaMigrationException(FormattableString.Invariant($"schema migration {version} ({known.Name}) in the database differs from this build's cluster/sql/{version:D4}_{known.Name}.sql (SHA-256 {sha.Trim()[..12]}... vs {known.Sha256[..12]}...): applied migrations must never be edited; add a new one."));
            }
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var read = new NpgsqlCommand($"SELECT version, sha256 FROM {VersionTable}", connection, transaction);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SchemaMigration[] Load()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = resource[ResourcePrefix.Length..^4];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(file[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"embedded schema script '{file}.sql' must be named NNNN_name.sql");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            migrations.Add(new SchemaMigration(version, file[(underscore + 1)..], text.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(FormattableString.Invariant($"schema migrations must be numbered 1..N without gaps; found {string.Join(", ", migrations.Select(m => m.Version))}"));
            }
        }

        return migrations.Count > 0 ? [.. migrations] : throw new InvalidOperationException("no schema migrations are embedded (cluster/sql/*.sql)");
    }
}

public sealed class SchemaMigrationException : Exception
{
    public SchemaMigrationException(string message)
        : base(message)
    {
    }

    public SchemaMigrationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SchemaMigrationException()
    {
    }
}
