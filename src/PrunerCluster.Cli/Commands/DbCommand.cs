using System.Globalization;
using Npgsql;
using PrunerCluster.Silo.Storage;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster db init|status</c>: applies (idempotently) or reports the cluster's PostgreSQL schema. The connection
/// string comes from --connection-string, --connection-string-file, or the environment (PRUNERCLUSTER_POSTGRES[_FILE]).
/// </summary>
public static class DbCommand
{
    public const string Usage = "db init|status [--connection-string CS | --connection-string-file PATH]";

    public static async Task<int> RunAsync(CommandArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var action = args.Required(0, "db action (init or status)");
        var connectionString = ConnectionString(args);
        args.EnsureAllUsed();
        var target = PostgresOptions.Describe(connectionString);
        try
        {
            switch (action)
            {
                case "init":
                {
                    var result = await SchemaMigrator.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
                    output.WriteLine(result.NothingToDo
                        ? string.Create(CultureInfo.InvariantCulture, $"schema at {target} already at version {result.ToVersion}; nothing to do")
                        : string.Create(CultureInfo.InvariantCulture, $"schema at {target} migrated from version {result.FromVersion} to {result.ToVersion} ({string.Join(", ", result.Applied.Select(m => $"{m.Version:D4}_{m.Name}"))})"));
                    return 0;
                }

                case "status":
                {
                    var version = await SchemaMigrator.CurrentVersionAsync(connectionString, cancellationToken).ConfigureAwait(false);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"schema at {target}: version {version} of {SchemaMigrator.LatestVersion}{(version < SchemaMigrator.LatestVersion ? " (run 'prunercluster db init')" : "")}"));
                    return version == SchemaMigrator.LatestVersion ? 0 : 1;
                }

                default:
                    throw new CommandLineException($"unknown db action '{action}'; expected 'init' or 'status'");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or SchemaMigrationException)
        {
            var reason = ex is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : ex.Message;
            throw new CommandLineException($"PostgreSQL at {target}: {reason}", ex);
        }
    }

    /// <summary>The cluster's connection string from the options or the environment; null when none is given.</summary>
    public static string? OptionalConnectionString(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new PostgresOptions
        {
            ConnectionString = args.Value("connection-string"),
            ConnectionStringFile = args.Value("connection-string-file"),
        };
        if (options.ConnectionString is null && options.ConnectionStringFile is null
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresOptions.EnvironmentVariable))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresOptions.FileEnvironmentVariable)))
        {
            return null;
        }

        return Resolve(options);
    }

    private static string ConnectionString(CommandArguments args) =>
        Resolve(new PostgresOptions { ConnectionString = args.Value("connection-string"), ConnectionStringFile = args.Value("connection-string-file") });

    private static string Resolve(PostgresOptions options)
    {
        try
        {
            return options.ResolveConnectionString();
        }
        catch (PostgresConfigurationException ex)
        {
            throw new CommandLineException(ex.Message.Replace(PostgresOptions.SectionName + ":ConnectionString", "--connection-string", StringComparison.Ordinal).Replace(PostgresOptions.SectionName + ":ConnectionStringFile", "--connection-string-file", StringComparison.Ordinal), ex);
        }
    }
}
