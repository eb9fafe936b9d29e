namespace PrunerCluster.Client.Plots;

/// <summary>A chart written to disk: what it shows, where, its pixel size and how many data series it draws.</summary>
public sealed record ChartImage(string Title, string Path, int Width, int Height, int SeriesCount)
{
    public string Format => System.IO.Path.GetExtension(Path).TrimStart('.').ToLowerInvariant();
}
