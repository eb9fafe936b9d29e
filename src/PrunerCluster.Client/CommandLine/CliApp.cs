using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Client.Hosting;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// Builds and runs a prunercluster command tree: parse errors go to stderr with exit code 2, any exception that escapes a
/// command becomes one line through <see cref="CliErrors"/>, and SIGINT (Ctrl+C), SIGTERM or SIGHUP cancels the token the command receives.
/// </summary>
public static class CliApp
{
    public const string VerboseName = "--verbose";

    public static RootCommand CreateRoot(string description, IEnumerable<Command> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var root = new RootCommand(description + Environment.NewLine + Environment.NewLine + ExitCodes.HelpText);
        root.Options.Add(new Option<bool>(VerboseName, "-v")
        {
            Description = "Show details: client logs and the full exception of an error.",
            Recursive = true,
        });
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static bool IsVerbose(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var option = parse.RootCommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == VerboseName);
        return option is not null && parse.GetValue(option);
    }

    /// <param name="exportTelemetry">Build this process's tracer provider (OTLP, --trace-console) for a cluster command;
    /// false when the host already has one (tests with their own exporters). The command's span is started either way.</param>
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken, bool exportTelemetry = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(console);
        var parse = root.Parse(args);
        var command = CommandPath(parse);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {command}: {error.Message}");
            }

            console.Error.WriteLine($"run '{command} --help' for usage");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
            Output = console.Out,
            Error = console.Error,
        };
        var clusterCommand = ClientTelemetry.IsClusterCommand(parse);
        OpenTelemetry.Trace.TracerProvider? tracing;
        OpenTelemetry.Metrics.MeterProvider? metering;
        try
        {
            tracing = exportTelemetry && clusterCommand
                ? ClientTelemetry.CreateProvider(Environment.GetEnvironmentVariable, ClientTelemetry.TraceConsoleRequested(parse) ? console.Error : null)
                : null;
            metering = exportTelemetry && clusterCommand ? ClientTelemetry.CreateMeterProvider(Environment.GetEnvironmentVariable) : null;
        }
        catch (CliException ex)
        {
            return CliErrors.Report(ex, command, IsVerbose(parse), console.Error);
        }

        using var exporting = tracing;
        using var exportingMetrics = metering;
        using var span = ClientTelemetry.StartCommand(parse);
        var started = Stopwatch.GetTimestamp();
        int code;
        try
        {
            code = await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            span?.AddException(ex);
            code = CliErrors.Report(ex, command, IsVerbose(parse), console.Error);
        }

        if (clusterCommand)
        {
            ClientMetrics.CommandFinished(parse.CommandResult.Command.Name, code == ExitCodes.Ok, Stopwatch.GetElapsedTime(started));
        }

        if (code != ExitCodes.Ok)
        {
            span?.SetStatus(ActivityStatusCode.Error, string.Create(CultureInfo.InvariantCulture, $"exit code {code}"));
        }

        return code;
    }

    /// <summary>
    /// Runs with the process console; the first SIGINT (Ctrl+C), SIGTERM or SIGHUP cancels the command's token and an
    /// interrupted command exits with 128 + that signal's number (a second signal kills the process).
    /// </summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        using var signals = StopSignals.Register();
        var code = await InvokeAsync(root, args, CliConsole.System, signals.Token, exportTelemetry: true).ConfigureAwait(false);
        return signals.ExitCode(code);
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "prunercluster" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
