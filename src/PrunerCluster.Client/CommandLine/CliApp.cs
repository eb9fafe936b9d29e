using System.CommandLine;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// Builds and runs a prunercluster command tree: parse errors go to stderr with exit code 2, any exception that escapes a
/// command becomes one line through <see cref="CliErrors"/>, and Ctrl+C cancels the token the command receives.
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

    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
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
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return CliErrors.Report(ex, command, IsVerbose(parse), console.Error);
        }
    }

    /// <summary>Runs with the process console; the first Ctrl+C cancels the command's token (a second one kills the process).</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await InvokeAsync(root, args, CliConsole.System, cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
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
