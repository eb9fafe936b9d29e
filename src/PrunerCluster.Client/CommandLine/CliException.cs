namespace PrunerCluster.Client.CommandLine;

/// <summary>A problem the user can fix, reported as one line on stderr with <see cref="ExitCode"/>.</summary>
public sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Usage, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public CliException()
        : this("command failed")
    {
    }

    public CliException(string message)
        : this(message, ExitCodes.Usage)
    {
    }

    public CliException(string message, Exception inner)
        : this(message, ExitCodes.Usage, inner)
    {
    }

    public int ExitCode { get; }
}
