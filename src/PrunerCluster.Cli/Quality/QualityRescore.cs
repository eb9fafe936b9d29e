using System.Globalization;
using System.Text.Json;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Cli.Quality;

/// <summary>
/// Reads an earlier run's <c>quality.json</c> and recomputes its indicators from the stored points
/// (<see cref="QualityMetrics.Scored"/>), so a run made before an indicator existed can be compared without re-running it.
/// The recovered members and their reductions are kept as stored.
/// </summary>
public static class QualityRescore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static (QualityOptions Options, IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> Results) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new CliException($"--rescore: file '{path}' does not exist (expected the {QualityReport.JsonFileName} of an earlier quality run)");
        }

        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CliException($"--rescore: '{path}' is not a {QualityReport.JsonFileName} ({e.Message})");
        }

        if (document?.Options is null || document.Seeds is not { Count: > 0 } seeds || seeds.Any(s => s.Reference is null || s.Methods is null))
        {
            throw new CliException($"--rescore: '{path}' lacks 'options' or 'seeds' with a 'reference' and 'methods' each (expected the {QualityReport.JsonFileName} of an earlier quality run)");
        }

        return (document.Options, [.. seeds.Select(s => (s.Seed, s.Reference!, (IReadOnlyList<MethodRun>)[.. s.Methods!.Select(m => QualityMetrics.Scored(m, s.Reference!))]))]);
    }

    /// <summary>
    /// Several runs' <c>quality.json</c> files as one: their seeds together, e.g. seeds 1,2 run one day and 3,4 another.
    /// The runs must share every setting that defines the benchmark (model, data, budget, recovery, validation, baseline,
    /// encodings) and no seed; the first file's options are kept, with every seed.
    /// </summary>
    public static (QualityOptions Options, IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> Results) Load(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new CliException("--rescore: give at least one quality.json");
        }

        var (options, results) = Load(paths[0]);
        var merged = results.ToList();
        foreach (var path in paths.Skip(1))
        {
            var (other, more) = Load(path);
            foreach (var (name, first, second) in Settings(options).Zip(Settings(other), (a, b) => (a.Name, a.Value, b.Value)))
            {
                if (!string.Equals(first, second, StringComparison.Ordinal))
                {
                    throw new CliException($"--rescore: '{path}' was run with {name} {second}, '{paths[0]}' with {first}; only runs of the same benchmark settings can be merged");
                }
            }

            var duplicates = more.Select(r => r.Seed).Intersect(merged.Select(m => m.Seed)).ToList();
            if (duplicates.Count > 0)
            {
                throw new CliException($"--rescore: seed(s) {string.Join(", ", duplicates)} of '{path}' are already in an earlier file; merge runs of different seeds");
            }

            merged.AddRange(more);
        }

        return (options with { Seeds = [.. merged.Select(r => r.Seed)] }, merged);
    }

    private static IEnumerable<(string Name, string Value)> Settings(QualityOptions o) =>
    [
        ("model", o.Model),
        ("dataset", o.Dataset),
        ("data root", o.DataRoot ?? "(default)"),
        ("budget", Invariant(o.Budget)),
        ("fine-tune steps", Invariant(o.FineTuneSteps)),
        ("validation samples", Invariant(o.ValidationSamples)),
        ("recovery steps", Invariant(o.RecoverySteps)),
        ("recover members", Invariant(o.RecoverMembers)),
        ("recover within points", Invariant(o.RecoverWithinPoints)),
        ("baseline epochs", Invariant(o.BaselineEpochs)),
        ("baseline train samples", o.BaselineTrainSamples is { } n ? Invariant(n) : "(all)"),
        ("encodings", string.Join(",", o.Encodings)),
        ("nsga-only", o.NsgaOnly ? "yes" : "no"),
    ];

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Document(QualityOptions? Options, IReadOnlyList<SeedEntry>? Seeds);

    private sealed record SeedEntry(ulong Seed, QualityReference? Reference, IReadOnlyList<MethodRun>? Methods);
}
