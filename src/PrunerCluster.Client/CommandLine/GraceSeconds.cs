using System.CommandLine;
using System.Globalization;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// A verb's <c>--grace SECONDS</c>: how long the first SIGINT, SIGTERM or SIGHUP lets it go on before it leaves (what it
/// does meanwhile is the verb's own: an embedded search lets its evaluations in flight finish, <c>watch</c> and
/// <c>submit --wait</c> keep waiting for the experiment's end). A second signal ends the process at once.
/// </summary>
public static class GraceSeconds
{
    public const int MaxSeconds = 3600;

    public static Option<string?> Create(string description) => new("--grace")
    {
        Description = description,
        HelpName = "SECONDS",
    };

    /// <summary>Whole seconds from 0 to <see cref="MaxSeconds"/>; null is 0. Anything else is a <see cref="CliException"/> naming the value.</summary>
    public static TimeSpan Parse(string? seconds)
    {
        if (seconds is null)
        {
            return TimeSpan.Zero;
        }

        if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > MaxSeconds)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--grace expects whole seconds from 0 to {MaxSeconds}, got '{seconds}'"));
        }

        return TimeSpan.FromSeconds(n);
    }
}
