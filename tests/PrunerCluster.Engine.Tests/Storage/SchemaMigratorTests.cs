using Npgsql;
using PrunerCluster.Storage.Postgres;
using PrunerCluster.Testing;

namespace PrunerCluster.Engine.Tests.Storage;

/// <summary>The cluster schema on a real private PostgreSQL server: idempotent, concurrent-safe, complete for the providers.</summary>
[Trait("Category", "Database")]
public sealed class SchemaMigratorTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    /// <summary>Every query key the Orleans 10.4 ADO.NET clustering, persistence and reminder providers read.</summary>
    public static readonly string[] ProviderQueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private PrivatePostgres Server => postgres.Server;

    [Fact]
    public async Task Init_twice_is_a_no_op()
    {
        var db = await Server.CreateDatabaseAsync();
        var first = await SchemaMigrator.ApplyAsync(db);
        Assert.Equal(0, first.FromVersion);
        Assert.Equal(SchemaMigrator.LatestVersion, first.ToVersion);
        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), first.Applied.Select(m => m.Version));
        var before = await CatalogFingerprintAsync(db);

        var second = await SchemaMigrator.ApplyAsync(db);
        Assert.True(second.NothingToDo);
        Assert.Equal(SchemaMigrator.LatestVersion, second.ToVersion);
        Assert.Equal(before, await CatalogFingerprintAsync(db));
        Assert.Equal(SchemaMigrator.LatestVersion, await SchemaMigrator.CurrentVersionAsync(db));
    }

    [Fact]
    public async Task Silos_initializing_at_once_apply_each_migration_exactly_once()
    {
        var db = await Server.CreateDatabaseAsync();
        Assert.Equal(0, await SchemaMigrator.CurrentVersionAsync(db));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SchemaMigrator.ApplyAsync(db))));
        Assert.Single(results, r => !r.NothingToDo);
        Assert.Equal(SchemaMigrator.Migrations.Count, results.Sum(r => r.Applied.Count));
        Assert.Equal(SchemaMigrator.Migrations.Count, await ScalarAsync<long>(db, $"SELECT COUNT(*) FROM {SchemaMigrator.VersionTable}"));
    }

    [Fact]
    public async Task Catalog_holds_every_query_the_orleans_providers_read()
    {
        var db = await Server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        var keys = new List<string>();
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT querykey FROM orleansquery", connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Empty(ProviderQueryKeys.Except(keys));
    }

    [Fact]
    public async Task A_database_whose_applied_migration_differs_from_this_build_is_refused()
    {
        var db = await Server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        await ExecuteAsync(db, $"UPDATE {SchemaMigrator.VersionTable} SET sha256 = repeat('0', 64) WHERE version = 2");
        var ex = await Assert.ThrowsAsync<SchemaMigrationException>(() => SchemaMigrator.ApplyAsync(db));
        Assert.Contains("migration 2 (clustering)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never be edited", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_from_a_newer_build_is_refused()
    {
        var db = await Server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        await ExecuteAsync(db, $"INSERT INTO {SchemaMigrator.VersionTable} (version, name, sha256) VALUES ({SchemaMigrator.LatestVersion + 1}, 'future', repeat('a', 64))");
        var ex = await Assert.ThrowsAsync<SchemaMigrationException>(() => SchemaMigrator.ApplyAsync(db));
        Assert.Contains("does not know", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_changes_nothing()
    {
        var db = await Server.CreateDatabaseAsync();

        // A table in the way of migration 3 makes it fail; migrations 1 and 2 of the same run must roll back with it.
        await ExecuteAsync(db, "CREATE TABLE orleansstorage (x int)");
        var ex = await Assert.ThrowsAsync<SchemaMigrationException>(() => SchemaMigrator.ApplyAsync(db));
        Assert.Contains("migration 3 (grain_storage) failed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await SchemaMigrator.CurrentVersionAsync(db));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'orleansquery'"));
    }

    private static async Task<string> CatalogFingerprintAsync(string db) => await ScalarAsync<string>(db, """
        SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
            SELECT 'q:' || querykey || ':' || md5(querytext) AS x FROM orleansquery
            UNION ALL SELECT 't:' || tablename FROM pg_tables WHERE schemaname = 'public'
            UNION ALL SELECT 'f:' || p.proname || ':' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            UNION ALL SELECT 'v:' || version || ':' || applied_at::text FROM prunercluster_schema_version) s
        """);

    private static async Task<T> ScalarAsync<T>(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
