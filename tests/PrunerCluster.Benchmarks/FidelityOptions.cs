using System.Globalization;

namespace PrunerCluster.Benchmarks;

/// <summary>Options of the fidelity suite (<see cref="FidelitySuite"/>); <see cref="Parse"/> names the option, value and range of a bad one.</summary>
internal sealed record FidelityOptions
{
    public string SpecPath { get; init; } = "src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json";

    public int Masks { get; init; } = 40;

    public IReadOnlyList<int> Rungs { get; init; } = [0, 50, 150, 300];

    public int FinalSteps { get; init; } = 900;

    public int ValidationSamples { get; init; } = 1000;

    public ulong Seed { get; init; } = 1;

    public int Threads { get; init; } = 2;

    public string Out { get; init; } = "fidelity-results";

    /// <summary>A fidelity-rows.json of an earlier run: print its table again without evaluating anything.</summary>
    public string? Rows { get; init; }

    public static FidelityOptions Parse(string[] args)
    {
        var d = new FidelityOptions();
        var rungs = PruningSuite.Text(args, "--rungs") is { } text
            ? text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(r => Int("--rungs", r, 0)).Distinct().Order().ToArray()
            : d.Rungs;
        if (rungs.Count == 0)
        {
            throw new ArgumentException("--rungs: expected a comma-separated list of fine-tune steps >= 0, e.g. 0,50,150,300");
        }

        return new FidelityOptions
        {
            SpecPath = PruningSuite.Text(args, "--spec") ?? d.SpecPath,
            Masks = Number("--masks", d.Masks, 3),
            Rungs = rungs,
            FinalSteps = Number("--final-steps", d.FinalSteps, 1),
            ValidationSamples = Number("--validation-samples", d.ValidationSamples, 1),
            Seed = (ulong)Number("--seed", (int)d.Seed, 0),
            Threads = Number("--threads", d.Threads, 1),
            Out = PruningSuite.Text(args, "--out") ?? d.Out,
            Rows = PruningSuite.Text(args, "--rows"),
        };

        int Number(string name, int fallback, int minimum) => PruningSuite.Text(args, name) is { } v ? Int(name, v, minimum) : fallback;
    }

    private static int Int(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : throw new ArgumentException($"{name}: got '{value}', expected an integer >= {minimum}");
}
