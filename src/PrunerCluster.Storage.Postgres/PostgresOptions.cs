using Npgsql;

namespace PrunerCluster.Storage.Postgres;

/// <summary>
/// Where the cluster's PostgreSQL database is (configuration section "PrunerCluster:Postgres"). The connection string comes
/// from <see cref="ConnectionString"/>, else the file <see cref="ConnectionStringFile"/> (a mounted secret), else the
/// environment variables <see cref="EnvironmentVariable"/> or <see cref="FileEnvironmentVariable"/>. It is never logged.
/// </summary>
public sealed class PostgresOptions
{
    public const string SectionName = "PrunerCluster:Postgres";
    public const string EnvironmentVariable = "PRUNERCLUSTER_POSTGRES";
    public const string FileEnvironmentVariable = "PRUNERCLUSTER_POSTGRES_FILE";

    /// <summary>ADO.NET invariant name of the Npgsql provider, as the Orleans ADO.NET providers expect it.</summary>
    public const string Invariant = "Npgsql";

    public string? ConnectionString { get; set; }

    public string? ConnectionStringFile { get; set; }

    /// <summary>Apply the schema migrations (idempotent) before the silo joins the cluster.</summary>
    public bool InitializeSchema { get; set; }

    /// <summary>How long a silo keeps retrying the schema check when PostgreSQL is not reachable yet at start.</summary>
    public TimeSpan StartupRetry { get; set; } = TimeSpan.FromSeconds(60);

    public override string ToString() => "PostgresOptions { ConnectionString = <redacted> }";

    /// <summary>The connection string, checked for syntax; errors name the setting or file, never the secret itself.</summary>
    public string ResolveConnectionString(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? text;
        string source;
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            (text, source) = (ConnectionString, $"{SectionName}:ConnectionString");
        }
        else if (!string.IsNullOrWhiteSpace(ConnectionStringFile))
        {
            (text, source) = (ReadFile(ConnectionStringFile, $"{SectionName}:ConnectionStringFile"), $"file '{ConnectionStringFile}'");
        }
        else if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            (text, source) = (fromEnvironment, $"environment variable {EnvironmentVariable}");
        }
        else if (environment(FileEnvironmentVariable) is { Length: > 0 } file)
        {
            (text, source) = (ReadFile(file, $"environment variable {FileEnvironmentVariable}"), $"file '{file}'");
        }
        else
        {
            throw new PostgresConfigurationException(
                $"no PostgreSQL connection string: set {SectionName}:ConnectionString, {SectionName}:ConnectionStringFile (a file holding it), or the environment variable {EnvironmentVariable} or {FileEnvironmentVariable}.");
        }

        text = text.Trim();
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(text);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                throw new PostgresConfigurationException($"the PostgreSQL connection string from {source} names no Host (expected e.g. 'Host=127.0.0.1;Port=5432;Username=...;Database=...').");
            }
        }
        catch (ArgumentException ex)
        {
            throw new PostgresConfigurationException($"the PostgreSQL connection string from {source} is not valid (value not shown): {RedactedReason(ex)}", ex);
        }

        return text;
    }

    /// <summary>Host, port and database of a connection string, for messages: no user name, no password.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return FormattableString.Invariant($"{b.Host}:{b.Port}/{b.Database ?? b.Username ?? "(default)"}");
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }

    private static string ReadFile(string path, string setting)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PostgresConfigurationException($"{setting}: cannot read the connection string file '{path}': {ex.Message}", ex);
        }
    }

    private static string RedactedReason(ArgumentException ex) =>
        ex.ParamName is { Length: > 0 } name ? $"bad keyword or value near '{name}'" : "bad keyword or value";
}

public sealed class PostgresConfigurationException : Exception
{
    public PostgresConfigurationException(string message)
        : base(message)
    {
    }

    public PostgresConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PostgresConfigurationException()
    {
    }
}
