using System.Globalization;
using System.Text.Json;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Engine.Quality;

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
    /// Several runs' <c>quality.json</c> files as one: their seeds together (seeds 1,2 run one day and 3,4 another), and
    /// arms run later for seeds already there (an <c>--nsga-only</c> variant next to the full run's arms). The runs must
    /// share every setting that defines the benchmark (model, data, budget, recovery, validation, baseline); a seed in two
    /// files must have the same unpruned validation accuracy and MACs in both (the same baseline and validation set) and
    /// no method twice. A later file's latencies of such a seed are rescaled by the ratio of the two runs' unpruned
    /// latencies, so every method of a seed is normalised by one reference (each run timed its own unpruned model on
    /// the host as it was then). The first file's options are kept, with every seed and encoding.
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
        var encodings = options.Encodings.ToList();
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

            foreach (var (seed, reference, runs) in more)
            {
                var index = merged.FindIndex(m => m.Seed == seed);
                if (index < 0)
                {
                    merged.Add((seed, reference, runs));
                    continue;
                }

                var (_, earlier, earlierRuns) = merged[index];
                if (earlierRuns.Select(r => r.Method).Intersect(runs.Select(r => r.Method), StringComparer.Ordinal).ToList() is { Count: > 0 } repeated)
                {
                    throw new CliException($"--rescore: seed {seed}'s {string.Join(", ", repeated)} of '{path}' is already in an earlier file; merge runs of different seeds or different arms");
                }

                if (earlier.ValidationAccuracy != reference.ValidationAccuracy || earlier.Macs != reference.Macs)
                {
                    throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--rescore: seed {seed} of '{path}' has an unpruned model of {reference.ValidationAccuracy:P2} validation accuracy and {reference.Macs:N0} MACs, an earlier file {earlier.ValidationAccuracy:P2} and {earlier.Macs:N0}; only runs of the same baseline and validation set can be merged"));
                }

                merged[index] = (seed, earlier, [.. earlierRuns, .. runs.Select(r => QualityMetrics.Scored(Rescaled(r, reference, earlier), earlier))]);
            }

            encodings.AddRange(other.Encodings.Except(encodings, StringComparer.Ordinal));
        }

        return (options with { Seeds = [.. merged.Select(r => r.Seed)], Encodings = encodings }, merged);
    }

    /// <summary>A run's latencies as if its unpruned model had been timed at <paramref name="to"/>'s latencies.</summary>
    public static MethodRun Rescaled(MethodRun run, QualityReference from, QualityReference to)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var search = to.LatencyMs / from.LatencyMs;
        var test = to.TestLatencyMs / from.TestLatencyMs;
        return run with
        {
            Points = [.. run.Points.Select(p => p with { LatencyMs = p.LatencyMs * search })],
            Recovered = [.. run.Recovered.Select(r => r with { LatencyMs = r.LatencyMs * test })],
        };
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
    ];

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Document(QualityOptions? Options, IReadOnlyList<SeedEntry>? Seeds);

    private sealed record SeedEntry(ulong Seed, QualityReference? Reference, IReadOnlyList<MethodRun>? Methods);
}
