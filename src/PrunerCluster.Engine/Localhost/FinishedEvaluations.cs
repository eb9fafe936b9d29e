using Orleans.Serialization;
using PrunerCluster.Grains;

namespace PrunerCluster.Engine.Localhost;

/// <summary>
/// The individual records of a journal that another run can be served from: each is one finished evaluation under its
/// content key (checkpoint, settings, mask, rung), exactly the memo a PostgreSQL cluster keeps. Final recoveries that
/// saved a model are left out, since the model lives in the other run's directory.
/// </summary>
public static class FinishedEvaluations
{
    /// <summary>The grain-state name of an individual (see <c>IndividualGrain</c>): records are keyed "individual/&lt;grain id&gt;".</summary>
    private const string StatePrefix = "individual/";

    public static IReadOnlyList<KeyValuePair<string, StoredRecord>> From(JournalContents journal, Serializer serializer)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(serializer);
        return journal.Latest()
            .Where(r => r.Key.StartsWith(StatePrefix, StringComparison.Ordinal) && Reusable(r.Value, serializer))
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>How many of a journal's records are finished evaluations at all (the figure a resume reports).</summary>
    public static int Count(JournalContents journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.Latest().Keys.Count(k => k.StartsWith(StatePrefix, StringComparison.Ordinal));
    }

    private static bool Reusable(StoredRecord record, Serializer serializer)
    {
        try
        {
            return serializer.Deserialize<IndividualState>(record.Data) is { Outcome: { ExportName: null } };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }
}
