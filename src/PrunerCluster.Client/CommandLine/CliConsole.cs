namespace PrunerCluster.Client.CommandLine;

/// <summary>Where a command writes: results to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}
