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

    private sealed record Document(QualityOptions? Options, IReadOnlyList<SeedEntry>? Seeds);

    private sealed record SeedEntry(ulong Seed, QualityReference? Reference, IReadOnlyList<MethodRun>? Methods);
}
