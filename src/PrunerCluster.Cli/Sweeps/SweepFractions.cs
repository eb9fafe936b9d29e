using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Cli.Sweeps;

/// <summary>The <c>--fractions</c> option of the magnitude sweeps: pruned fractions in (0, 1), default 10..90 % in steps of 10.</summary>
public static class SweepFractions
{
    public static IReadOnlyList<double> Default { get; } = [.. Enumerable.Range(1, 9).Select(i => i / 10.0)];

    public static Option<string?> Option() => new("--fractions")
    {
        Description = "Comma-separated pruned fractions in (0, 1) (default 0.1,0.2,...,0.9)",
        HelpName = "F[,F...]",
    };

    public static IReadOnlyList<double> Parse(string? text)
    {
        if (text is null)
        {
            return Default;
        }

        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0 && value < 1))
            {
                throw new CliException($"--fractions: '{part}' is not a fraction in (0, 1); expected e.g. 0.1,0.5,0.9");
            }

            values.Add(value);
        }

        return values.Count > 0
            ? [.. values.Distinct().Order()]
            : throw new CliException($"--fractions: '{text}' names no fraction; expected e.g. 0.1,0.5,0.9");
    }
}
