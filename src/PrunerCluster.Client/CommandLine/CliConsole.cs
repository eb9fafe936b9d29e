namespace PrunerCluster.Client.CommandLine;

/// <summary>Where a command writes: results to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    public static CliConsole System { get; } = new(
        HangupTolerantWriter.ForTerminal(Console.Out, Console.IsOutputRedirected),
        HangupTolerantWriter.ForTerminal(Console.Error, Console.IsErrorRedirected),
        !Console.IsOutputRedirected);
}
