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
    var rest = new CommandArguments(args[1..], new HashSet<string>(StringComparer.Ordinal) { "json", "csv", "wait", "verbose", "quick" });
    return verb switch
    {
        "search" => await SearchCommand.RunAsync(rest, output, cancel.Token),
        "export" => await ExportCommand.RunAsync(rest, output, cancel.Token),
        "quality" => await PrunerCluster.Cli.Quality.QualityCommand.RunAsync(rest, output, cancel.Token),
        "submit" or "status" or "list" or "pareto" or "cancel" or "pause" or "resume" => await ClientCommands.RunAsync(verb, rest, output, cancel.Token),
        _ => throw new CommandLineException($"unknown command '{verb}'; run 'prunercluster --help'"),
    };
}
catch (Exception ex) when (ex is CommandLineException or SpecFileException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

static void PrintUsage(TextWriter output)
{
    output.WriteLine("prunercluster: multi-objective pruning search (NSGA-II) on Orleans");
    output.WriteLine();
    output.WriteLine("Embedded (one process, no database):");
    output.WriteLine("  prunercluster " + SearchCommand.Usage);
    output.WriteLine("  prunercluster " + ExportCommand.Usage);
    output.WriteLine("  prunercluster " + PrunerCluster.Cli.Quality.QualityCommand.Usage);
    output.WriteLine();
    output.WriteLine("Client of a running cluster " + ClientCommands.ConnectionOptions + ":");
    output.WriteLine("  prunercluster submit <spec.json> [--wait]");
    output.WriteLine("  prunercluster status <id> [--json]");
    output.WriteLine("  prunercluster list [--json]");
    output.WriteLine("  prunercluster pareto <id> [--json | --csv]");
    output.WriteLine("  prunercluster cancel|pause|resume <id>");
}
