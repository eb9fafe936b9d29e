using System.Text.Json;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// What makes an embedded run directory resumable: <c>state.journal</c> (the silo's grain state: coordinator, ledger and
/// every finished evaluation under its content key) and <c>resume.json</c> (the experiment id and the spec's content
/// hash), written with <c>spec.json</c> as soon as the experiment is accepted.
/// </summary>
public static class RunJournal
{
    public const string JournalFileName = "state.journal";
    public const string MarkerFileName = "resume.json";

    /// <summary>The spec's content identity: SHA-256 of its canonical JSON (options such as --baseline-epochs applied).</summary>
    public static string SpecKey(ExperimentSpec spec) => Sha256Hex.Of(SpecFile.Serialize(spec));

    /// <summary>Writes <c>spec.json</c> and <c>resume.json</c> into <paramref name="directory"/> (created when missing).</summary>
    public static void Mark(string directory, ExperimentSpec spec, string experimentId)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, RunDirectory.SpecFileName), SpecFile.Serialize(spec));
        WriteAtomically(Path.Combine(directory, MarkerFileName), SpecFile.Serialize(new RunMarker(experimentId, SpecKey(spec))));
    }

    /// <summary>The run directory under <paramref name="runsRoot"/> most recently journaled with the same spec, or null.</summary>
    public static string? FindPrevious(string runsRoot, string specKey)
    {
        if (!Directory.Exists(runsRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(runsRoot)
            .Where(d => File.Exists(Path.Combine(d, JournalFileName)) && TryReadMarker(d) is { } marker && string.Equals(marker.SpecKey, specKey, StringComparison.Ordinal))
            .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, JournalFileName)))
            .ThenBy(d => d, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>
    /// The run to continue from <c>--resume DIR</c>: its experiment id and spec. <paramref name="given"/> (the spec argument
    /// with its options applied, if any) must equal the spec the run was searched with.
    /// </summary>
    public static ResumePoint OpenResume(string directory, Func<ExperimentSpec, ExperimentSpec> applyOptions, string? specPath)
    {
        ArgumentNullException.ThrowIfNull(applyOptions);
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new CliException($"--resume: '{directory}' does not exist; expected the run directory of an embedded search (.prunercluster/runs/<experiment>)");
        }

        var marker = TryReadMarker(full);
        var specFile = Path.Combine(full, RunDirectory.SpecFileName);
        if (marker is null || !File.Exists(Path.Combine(full, JournalFileName)) || !File.Exists(specFile))
        {
            throw new CliException($"--resume: '{directory}' is not the run directory of an embedded search (expected {JournalFileName}, {MarkerFileName} and {RunDirectory.SpecFileName}, written by 'prunercluster search')");
        }

        var stored = SpecFile.LoadValid(specFile);
        if (!string.Equals(SpecKey(stored), marker.SpecKey, StringComparison.Ordinal))
        {
            throw new CliException($"--resume: '{specFile}' was changed after the run started (its content hash is not the one in {MarkerFileName}); restore it, or start a new search without --resume");
        }

        var wanted = applyOptions(specPath is null ? stored : SpecFile.LoadValid(specPath));
        if (!string.Equals(SpecKey(wanted), marker.SpecKey, StringComparison.Ordinal))
        {
            var what = specPath is null ? "the options given differ" : $"spec '{specPath}' (with the options given) differs";
            throw new CliException($"--resume: {what} from the spec '{specFile}' the run was searched with; pass the same spec and options (or no spec), or run 'search <spec>' without --resume for a new search");
        }

        EnsureFree(Path.Combine(full, JournalFileName));
        return new ResumePoint(full, marker.ExperimentId, stored);
    }

    /// <summary>Refuses, before any silo starts, a journal that another search still writes (it holds it exclusively) or that cannot be written.</summary>
    private static void EnsureFree(string journal)
    {
        try
        {
            using var probe = new FileStream(journal, FileMode.Open, FileAccess.Write, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--resume: cannot open '{journal}' for writing ({ex.Message}); the run directory must be writable and no other search may be running it");
        }
    }

    private static RunMarker? TryReadMarker(string directory)
    {
        try
        {
            var marker = JsonSerializer.Deserialize<RunMarker>(File.ReadAllText(Path.Combine(directory, MarkerFileName)), SpecFile.JsonOptions);
            return marker is { ExperimentId.Length: > 0, SpecKey.Length: > 0 } ? marker : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
