using PrunerCluster.Client.CommandLine;
using PrunerCluster.Cli.Quality;
using PrunerCluster.Engine.Quality;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "quality": the search-quality benchmark (same code as <c>prunercluster quality</c>): NSGA-II through the real grains
/// against random masks, uniform per-layer pruning and generation 0 alone, at an equal budget of evaluated masks, each with the
/// same search-time and final recovery, on the VGG-style Fashion-MNIST CNN. Options: see <see cref="QualityOptions.Usage"/>;
/// <c>--quick</c> runs the whole pipeline in minutes.
/// </summary>
internal static class QualitySuite
{
    public static int Run(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            return QualityCommand.RunAsync(QualityCommand.ParseOptions(args), Console.Out, cancel.Token).GetAwaiter().GetResult();
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }
}
