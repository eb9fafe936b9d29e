using System.Globalization;
using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// The silo's own command-line options beside configuration overrides (<c>--PrunerCluster:...=value</c>):
/// <c>--grace SECONDS</c> (or <c>--grace=SECONDS</c>) is "PrunerCluster:Drain:GracePeriodSeconds", how long running
/// evaluations may go on after the first SIGTERM, SIGHUP or SIGINT.
/// </summary>
public static class SiloCommandLine
{
    public const string GraceName = "--grace";

    /// <summary>The arguments with <c>--grace</c> rewritten as its configuration key; a bad value is an <see cref="OptionsValidationException"/> naming it.</summary>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            string? value;
            if (string.Equals(args[i], GraceName, StringComparison.Ordinal))
            {
                value = i + 1 < args.Count ? args[++i] : null;
            }
            else if (args[i].StartsWith(GraceName + "=", StringComparison.Ordinal))
            {
                value = args[i][(GraceName.Length + 1)..];
            }
            else
            {
                result.Add(args[i]);
                continue;
            }

            result.Add(string.Create(CultureInfo.InvariantCulture, $"--{DrainOptions.SectionName}:GracePeriodSeconds={Seconds(value)}"));
        }

        return [.. result];
    }

    private static int Seconds(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= DrainOptions.MaxGracePeriodSeconds
            ? seconds
            : throw new OptionsValidationException(DrainOptions.SectionName, typeof(DrainOptions), [
                string.Create(CultureInfo.InvariantCulture, $"{GraceName} expects whole seconds from 0 to {DrainOptions.MaxGracePeriodSeconds} (how long running evaluations may finish after SIGTERM/SIGHUP), got '{value ?? "(nothing)"}'.")]);
}
