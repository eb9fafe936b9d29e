using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Localhost;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// What the tests of embedded search processes share: the environment that turns on the synthetic backend, the live
/// line's done count, and reading a run directory's journal and status back.
/// </summary>
internal static partial class EmbeddedRuns
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(180);

    public static readonly Dictionary<string, string> Synthetic = new() { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true", ["DOTNET_gcServer"] = "0" };

    /// <summary>The individuals whose record each entry wrote: one per evaluation that ran (an outcome is stored once, when it is computed).</summary>
    public static IEnumerable<string> IndividualWrites(IEnumerable<JournalEntry> entries) =>
        entries.Where(e => e.Record is not null && e.Key.StartsWith("individual/", StringComparison.Ordinal)).Select(e => e.Key);

    public static ExperimentStatus ReadStatus(string run) =>
        JsonSerializer.Deserialize<ExperimentStatus>(File.ReadAllText(Path.Combine(run, RunDirectory.StatusFileName)), SpecFile.JsonOptions)!;

    /// <summary>The evaluations done on a plain live line ("done 7/48 ..."), -1 for any other line.</summary>
    public static int Done(string line)
    {
        var m = DoneCount().Match(line);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"done (\d+)/\d+")]
    private static partial Regex DoneCount();
}
