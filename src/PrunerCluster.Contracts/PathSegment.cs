namespace PrunerCluster.Contracts;

/// <summary>Names (experiment ids, member folders) made into one safe path segment: never a separator, never "..".</summary>
public static class PathSegment
{
    /// <summary>ASCII letters, digits, '-' and '_' kept, anything else '-'; "-" for an empty name.</summary>
    public static string Safe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return safe.Length == 0 ? "-" : safe;
    }
}
