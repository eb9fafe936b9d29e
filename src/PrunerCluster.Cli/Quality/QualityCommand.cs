using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Cli.Commands;

namespace PrunerCluster.Cli.Quality;

/// <summary><c>prunercluster quality [--quick] ...</c>: the search-quality benchmark (see <see cref="QualityRunner"/>).</summary>
public static class QualityCommand
{
    public const string Usage = QualityOptions.Usage;

    public static async Task<int> RunAsync(CommandArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var options = QualityOptions.Parse(args);
        args.EnsureAllUsed();
        return await RunAsync(options, output, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(QualityOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var clock = Stopwatch.StartNew();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quality benchmark{(options.IsQuick ? " (quick)" : "")}: {Environment.ProcessorCount} cores visible, {options.Threads} torch thread(s), {options.Slots} slot(s)"));
        var results = await new QualityRunner(options, output).RunAsync(cancellationToken).ConfigureAwait(false);
        var table = QualityReport.Table(options, results) + string.Create(CultureInfo.InvariantCulture, $"wall time {clock.Elapsed.TotalMinutes:F1} min\n");
        output.WriteLine();
        output.Write(table);
        var files = QualityReport.Write(Path.GetFullPath(options.OutDirectory), options, results, table);
        output.WriteLine("written: " + string.Join(", ", files));
        return 0;
    }
}
