using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Engine.Storage;

/// <summary>
/// Hosted before the silo: applies the schema migrations when "PrunerCluster:Postgres:InitializeSchema" is on, retrying while
/// PostgreSQL is not reachable yet (e.g. starting together in a pod), so the providers find their queries at start.
/// </summary>
internal sealed partial class SchemaInitializer(string connectionString, TimeSpan retryFor, TimeProvider time, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + retryFor;
        var target = PostgresOptions.Describe(connectionString);
        while (true)
        {
            try
            {
                var result = await SchemaMigrator.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
                if (result.NothingToDo)
                {
                    LogUpToDate(logger, target, result.ToVersion);
                }
                else
                {
                    LogApplied(logger, target, result.FromVersion, result.ToVersion);
                }

                return;
            }
            catch (Exception ex) when (ex is NpgsqlException and not PostgresException && time.GetUtcNow() < deadline)
            {
                LogWaiting(logger, target, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema at {Target} is up to date (version {Version}).")]
    private static partial void LogUpToDate(ILogger logger, string target, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema at {Target} migrated from version {From} to {To}.")]
    private static partial void LogApplied(ILogger logger, string target, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL at {Target} not reachable yet ({Reason}); retrying.")]
    private static partial void LogWaiting(ILogger logger, string target, string reason);
}
