using PrunerCluster.Cli.Commands;
using PrunerCluster.Cli.Specs;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var output = Console.Out;
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    PrintUsage(output);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var verb = args[0];
    var rest = new CommandArguments(args[1..], new HashSet<string>(StringComparer.Ordinal) { "json", "csv", "wait", "verbose" });
    return verb switch
    {
        "search" => await SearchCommand.RunAsync(rest, output, cancel.Token),
        "export" => await ExportCommand.RunAsync(rest, output, cancel.Token),
        "db" => await DbCommand.RunAsync(rest, output, cancel.Token),
        "submit" or "status" or "list" or "pareto" or "cancel" or "pause" or "resume" => await ClientCommands.RunAsync(verb, rest, output, cancel.Token),
        _ => throw new CommandLineException($"unknown command '{verb}'; run 'prunercluster --help'"),
    };
}
catch (Exception ex) when (ex is CommandLineException or SpecFileException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is TimeoutException or Orleans.Runtime.OrleansException)
{
    // A silo that just died: the cluster answers again once membership declares it dead (seconds).
    Console.Error.WriteLine($"error: the cluster did not answer ({ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()}); if a silo just died, retry in a few seconds");
    return 3;
}

static void PrintUsage(TextWriter output)
{
    output.WriteLine("prunercluster: multi-objective pruning search (NSGA-II) on Orleans");
    output.WriteLine();
    output.WriteLine("Embedded (one process, no database):");
    output.WriteLine("  prunercluster " + SearchCommand.Usage);
    output.WriteLine("  prunercluster " + ExportCommand.Usage);
    output.WriteLine();
    output.WriteLine("Client of a running cluster " + ClientCommands.ConnectionOptions + ":");
    output.WriteLine("  prunercluster submit <spec.json> [--wait]");
    output.WriteLine("  prunercluster status <id> [--json]");
    output.WriteLine("  prunercluster list [--json]");
    output.WriteLine("  prunercluster pareto <id> [--json | --csv]");
    output.WriteLine("  prunercluster cancel|pause|resume <id>");
    output.WriteLine("  (with --connection-string CS or --connection-string-file PATH, or PRUNERCLUSTER_POSTGRES set: gateways come from PostgreSQL)");
    output.WriteLine();
    output.WriteLine("Cluster database (PostgreSQL):");
    output.WriteLine("  prunercluster " + DbCommand.Usage);
}
