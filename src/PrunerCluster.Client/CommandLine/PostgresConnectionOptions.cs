using System.CommandLine;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Client.CommandLine;

/// <summary>The --connection-string / --connection-string-file options and their resolution (option, file, environment).</summary>
public static class PostgresConnectionOptions
{
    public static Option<string?> ConnectionStringOption(string description) =>
        new("--connection-string") { Description = description, HelpName = "CS" };

    public static Option<string?> ConnectionStringFileOption(string description = "File holding the PostgreSQL connection string, e.g. a mounted secret [env PRUNERCLUSTER_POSTGRES_FILE]") =>
        new("--connection-string-file") { Description = description, HelpName = "PATH" };

    /// <summary>The connection string from the options or the environment; null when none is given anywhere.</summary>
    public static string? Optional(ParseResult parse, Option<string?>? connectionString, Option<string?> connectionStringFile)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var options = Options(parse, connectionString, connectionStringFile);
        if (options.ConnectionString is null && options.ConnectionStringFile is null
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresOptions.EnvironmentVariable))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresOptions.FileEnvironmentVariable)))
        {
            return null;
        }

        return Resolve(options);
    }

    /// <summary>The connection string, required: a clear error names the options and variables that can give it.</summary>
    public static string Required(ParseResult parse, Option<string?>? connectionString, Option<string?> connectionStringFile)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return Resolve(Options(parse, connectionString, connectionStringFile));
    }

    private static PostgresOptions Options(ParseResult parse, Option<string?>? connectionString, Option<string?> connectionStringFile) =>
        new() { ConnectionString = connectionString is null ? null : parse.GetValue(connectionString), ConnectionStringFile = parse.GetValue(connectionStringFile) };

    private static string Resolve(PostgresOptions options)
    {
        try
        {
            return options.ResolveConnectionString();
        }
        catch (PostgresConfigurationException ex)
        {
            var message = ex.Message
                .Replace(PostgresOptions.SectionName + ":ConnectionStringFile", "--connection-string-file", StringComparison.Ordinal)
                .Replace(PostgresOptions.SectionName + ":ConnectionString", "--connection-string", StringComparison.Ordinal);
            throw new CliException(message, ExitCodes.Usage, ex);
        }
    }
}
