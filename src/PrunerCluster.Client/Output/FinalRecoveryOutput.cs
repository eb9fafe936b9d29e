using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>The end of a search with final recovery, the same for embedded <c>search</c> and for <c>submit --wait</c>/<c>watch</c>.</summary>
public static class FinalRecoveryOutput
{
    /// <summary>
    /// Writes final.json/.csv into <paramref name="directory"/>, prints the final table, and returns what to pass to
    /// <c>export --pick</c> with why (null when no member recovered).
    /// </summary>
    public static string? WriteAndPrint(string directory, FinalRecoveryResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        FinalRecoveryReport.WriteAndPrint(directory, result, output);
        if (result.Suggested() is not { } suggested)
        {
            return null;
        }

        var within = result.DropPoints(suggested) <= 1.0 + 1e-9;
        return string.Create(CultureInfo.InvariantCulture, $"{suggested.Label.TrimStart('#')} (the number in the tables above; {suggested.Label}: {(within ? "the fewest MACs within 1 point after recovery" : "the most accurate after recovery")})");
    }
}
