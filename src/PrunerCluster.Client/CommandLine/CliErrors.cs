using System.Net.Sockets;
using System.Text.Json;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// Turns any exception that reaches a command's top into one line (what failed and what to do) and an exit code; with
/// --verbose the full exception follows. No stack trace is ever printed otherwise.
/// </summary>
public static class CliErrors
{
    public const string ClusterHint =
        "check that the cluster's silos are running and --gateway/--cluster-id/--service-id match them (cluster/scripts/local-cluster.sh starts a local one), or use 'prunercluster search' for the embedded mode";

    public const string DatabaseHint =
        "check that PostgreSQL runs and that --connection-string-file (or PRUNERCLUSTER_POSTGRES_FILE) names it; the silos cannot serve without it either";

    public static (string Message, int ExitCode) Describe(Exception exception, string command)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var ex = Unwrap(exception);
        return ex switch
        {
            CliException cli => (cli.Message, cli.ExitCode),
            SpecFileException spec => (spec.Message, ExitCodes.Usage),
            Selection.PickRuleException pick => (pick.Message, ExitCodes.Usage),
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException or JsonException or UnauthorizedAccessException
                => ($"{command}: {OneLine(ex.Message)}", ExitCodes.Usage),
            OperationCanceledException => ($"{command}: interrupted", ExitCodes.Interrupted),
            _ when DatabaseFailure(ex) is { } db => ($"{command}: the cluster's PostgreSQL database is not answering ({Describe(db)}); {DatabaseHint}", ExitCodes.Unavailable),
            _ when IsClusterFailure(ex) => ($"{command}: the cluster stopped answering ({Describe(ex)}); {ClusterHint}", ExitCodes.Unavailable),
            _ => ($"{command}: unexpected {ex.GetType().Name}: {OneLine(ex.Message)} (re-run with --verbose for details)", ExitCodes.Failed),
        };
    }

    /// <summary>Writes the line (and with <paramref name="verbose"/> the full exception) and returns the exit code.</summary>
    public static int Report(Exception exception, string command, bool verbose, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (message, code) = Describe(exception, command);
        error.WriteLine("error: " + message);
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return code;
    }

    internal static bool IsClusterFailure(Exception ex) =>
        ex is Orleans.Runtime.OrleansException or TimeoutException or SocketException or IOException
        || (ex.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) ?? false);

    /// <summary>The PostgreSQL failure behind <paramref name="ex"/> (itself or an inner exception), or null.</summary>
    internal static Exception? DatabaseFailure(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException)
            {
                return e;
            }
        }

        return null;
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg)
        {
            ex = agg.InnerExceptions[0];
        }

        return ex;
    }

    private static string Describe(Exception ex) => ex.GetType().Name + ": " + OneLine(ex.Message);

    internal static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
