using System.CommandLine;
using System.Globalization;
using Npgsql;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Client.Commands;

/// <summary>
/// <c>prunercluster db init|status</c>: applies (idempotently) or reports the cluster's PostgreSQL schema. The connection
/// string comes from --connection-string, --connection-string-file, or the environment (PRUNERCLUSTER_POSTGRES[_FILE]).
/// </summary>
public static class DbCommand
{
    public static Command Create(CliConsole console)
    {
        var db = new Command("db", "The cluster's PostgreSQL database (postgres mode)");
        db.Subcommands.Add(Action(console, "init", "Apply the schema's forward migrations (idempotent; safe while silos run)"));
        db.Subcommands.Add(Action(console, "status", "Print the schema version; exit code 1 when migrations are pending"));
        return db;
    }

    private static Command Action(CliConsole console, string name, string description)
    {
        var connectionString = PostgresConnectionOptions.ConnectionStringOption("PostgreSQL connection string (never logged) [env PRUNERCLUSTER_POSTGRES]");
        var connectionStringFile = PostgresConnectionOptions.ConnectionStringFileOption();
        var command = new Command(name, description) { connectionString, connectionStringFile };
        command.SetAction(async (parse, ct) =>
        {
            var cs = PostgresConnectionOptions.Required(parse, connectionString, connectionStringFile);
            return await RunAsync(name, cs, console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(string action, string connectionString, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var target = PostgresOptions.Describe(connectionString);
        try
        {
            if (action == "init")
            {
                var result = await SchemaMigrator.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
                output.WriteLine(result.NothingToDo
                    ? string.Create(CultureInfo.InvariantCulture, $"schema at {target} already at version {result.ToVersion}; nothing to do")
                    : string.Create(CultureInfo.InvariantCulture, $"schema at {target} migrated from version {result.FromVersion} to {result.ToVersion} ({string.Join(", ", result.Applied.Select(m => $"{m.Version:D4}_{m.Name}"))})"));
                return ExitCodes.Ok;
            }

            var version = await SchemaMigrator.CurrentVersionAsync(connectionString, cancellationToken).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"schema at {target}: version {version} of {SchemaMigrator.LatestVersion}{(version < SchemaMigrator.LatestVersion ? " (run 'prunercluster db init')" : "")}"));
            return version == SchemaMigrator.LatestVersion ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is NpgsqlException or SchemaMigrationException)
        {
            var reason = ex is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : ex.Message;
            throw new CliException($"PostgreSQL at {target}: {CliErrors.OneLine(reason)}", ExitCodes.Unavailable, ex);
        }
    }
}
