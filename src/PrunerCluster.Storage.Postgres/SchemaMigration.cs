using System.Security.Cryptography;
using System.Text;

namespace PrunerCluster.Storage.Postgres;

/// <summary>One forward migration of the cluster schema: cluster/sql/NNNN_name.sql, embedded in this assembly.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script (line endings normalized): a database that applied a different text is refused.</summary>
    public string Sha256 { get; } = Sha256Hex.Of(Sql.Replace("\r\n", "\n", StringComparison.Ordinal));
}

/// <summary>What <see cref="SchemaMigrator.ApplyAsync"/> did.</summary>
public sealed record SchemaMigrationResult(int FromVersion, int ToVersion, IReadOnlyList<SchemaMigration> Applied)
{
    public bool NothingToDo => Applied.Count == 0;
}
