using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Engine.Quality;

namespace PrunerCluster.Cli.Quality;

/// <summary><c>prunercluster quality [--quick] ...</c>: the search-quality benchmark (see <see cref="QualityRunner"/>).</summary>
public static class QualityCommand
{
    private static readonly string[] NumberOptions =
        ["budget", "fine-tune-steps", "recovery-steps", "latency-runs", "recover-members", "validation-samples", "baseline-epochs", "slots", "threads"];

    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var (command, bind) = Build();
        command.SetAction((parse, ct) => RunAsync(bind(parse), console.Out, ct));
        return command;
    }

    /// <summary>Parses the quality benchmark's arguments (the same as <c>prunercluster quality</c> takes).</summary>
    public static QualityOptions ParseOptions(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (command, bind) = Build();
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            throw new CliException("quality: " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        }

        return bind(parse);
    }

    /// <summary>The command and how its parse result becomes <see cref="QualityOptions"/>.</summary>
    internal static (Command Command, Func<ParseResult, QualityOptions> Bind) Build()
    {
        var quick = new Option<bool>("--quick") { Description = "A minutes-long smoke run of the whole pipeline (tiny baseline, 6 masks per method, one seed)" };
        var numbers = NumberOptions.ToDictionary(n => n, n => new Option<int?>("--" + n) { HelpName = "N" }, StringComparer.Ordinal);
        numbers["budget"].Description = "Evaluated masks per method and seed";
        numbers["fine-tune-steps"].Description = "Search-time recovery steps of every mask";
        numbers["recovery-steps"].Description = "Final recovery steps of the front members";
        numbers["threads"].Description = "Torch threads per evaluation";
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds (mean and spread over them)", HelpName = "1,2" };
        var encodings = new Option<string?>("--encodings") { Description = "NSGA-II genome encodings, each an arm: keepRatio, channelBits, hybrid", HelpName = "LIST" };
        var cache = new Option<string?>("--cache") { Description = "Baseline checkpoint cache directory", HelpName = "DIR" };
        var output = new Option<string?>("--out") { Description = "Output directory for the table, JSON and plot", HelpName = "DIR" };
        var nsgaOnly = new Option<bool>("--nsga-only") { Description = "Run only the NSGA-II arms (e.g. to compare --encodings); the random, uniform, slimming, LAMP and generation-0 arms are skipped" };
        var maxDrop = new Option<double?>("--nsga-max-drop") { Description = "Search the NSGA-II arms under the constraint accuracy_drop <= POINTS (as the main job does); the arms' names carry it", HelpName = "POINTS" };
        var objectives = new Option<string?>("--nsga-objectives") { Description = "The NSGA-II arms' objectives: accuracy and at least one of macs, latency_ms (default all three)", HelpName = "LIST" };
        var model = new Option<string?>("--model") { Description = "The network every arm prunes (a zoo model: vgg, resnet, ...)", HelpName = "NAME" };
        var ladder = new Option<string?>("--ladder") { Description = "Give the NSGA-II arms this fidelity ladder and compare at equal compute: each baseline gets as many masks at the top rung's steps as the arm's compute pays for, and every method's front is scored after the same final recovery", HelpName = "0:1000,100,300" };
        var recoverWithin = new Option<double?>("--recover-within") { Description = "Recover front members within this many validation points of the unpruned model (default 2)", HelpName = "POINTS" };
        var rescore = new Option<string?>("--rescore") { Description = "Recompute the table's indicators from an earlier run's quality.json and print it; nothing is run. Comma-separated files of runs with the same settings are merged into one table: other seeds, or other arms of the same seeds (e.g. an --nsga-only variant)", HelpName = "FILE[,FILE...]" };
        var command = new Command("quality", "Search-quality benchmark: NSGA-II through the grains against random masks, uniform per-layer pruning, a global importance threshold (network slimming), LAMP and generation 0 alone, at an equal budget of evaluated masks with the same recovery")
        {
            quick, seeds, encodings, cache, output, nsgaOnly, maxDrop, objectives, rescore, model, ladder, recoverWithin,
        };
        foreach (var option in numbers.Values)
        {
            command.Options.Add(option);
        }

        return (command, parse => QualityOptions.From(
            parse.GetValue(quick),
            numbers.ToDictionary(p => p.Key, p => parse.GetValue(p.Value), StringComparer.Ordinal),
            parse.GetValue(seeds),
            parse.GetValue(encodings),
            parse.GetValue(cache),
            parse.GetValue(output)).WithNsgaVariant(parse.GetValue(maxDrop), parse.GetValue(objectives))
            .WithLadder(parse.GetValue(model), parse.GetValue(ladder), parse.GetValue(recoverWithin)) with { NsgaOnly = parse.GetValue(nsgaOnly), RescoreFrom = parse.GetValue(rescore) });
    }

    public static async Task<int> RunAsync(QualityOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.RescoreFrom is { } file)
        {
            var sources = file.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToList();
            var (stored, rescored) = QualityRescore.Load(sources);
            output.WriteLine($"quality: re-scored from {string.Join(", ", sources)}");
            output.Write(QualityReport.Table(stored, rescored));
            return 0;
        }

        var clock = Stopwatch.StartNew();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quality benchmark{(options.IsQuick ? " (quick)" : "")}: {Environment.ProcessorCount} cores visible, {options.Threads} torch thread(s), {options.Slots} slot(s)"));
        var directory = Path.GetFullPath(options.OutDirectory);
        var results = await new QualityRunner(options, output).RunAsync(
            done => QualityReport.Write(directory, options, done, QualityReport.Table(options, done) + string.Create(CultureInfo.InvariantCulture, $"(partial: {done.Count} of {options.Seeds.Count} seeds, {clock.Elapsed.TotalMinutes:F1} min)\n")),
            cancellationToken).ConfigureAwait(false);
        var table = QualityReport.Table(options, results) + string.Create(CultureInfo.InvariantCulture, $"wall time {clock.Elapsed.TotalMinutes:F1} min\n");
        output.WriteLine();
        output.Write(table);
        var files = QualityReport.Write(directory, options, results, table);
        output.WriteLine("written: " + string.Join(", ", files));
        return 0;
    }
}
