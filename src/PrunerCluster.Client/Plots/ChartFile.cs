using ScottPlot;
using SkiaSharp;

namespace PrunerCluster.Client.Plots;

/// <summary>Saves one plot, or a grid of plots (pairwise panels), as PNG or SVG chosen by the file extension.</summary>
public static class ChartFile
{
    public static ChartImage Save(Plot plot, string title, string path, int width, int height) =>
        SaveGrid([plot], 1, title, path, width, height);

    /// <summary>PNG bytes of <paramref name="plots"/> in a grid (for embedding as a data URI).</summary>
    public static byte[] Png(IReadOnlyList<Plot> plots, int columns, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plots);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        Draw(surface.Canvas, plots, columns, width, height);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Renders <paramref name="plots"/> row by row into a <paramref name="columns"/>-wide grid of equal cells.</summary>
    public static ChartImage SaveGrid(IReadOnlyList<Plot> plots, int columns, string title, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plots);
        ArgumentOutOfRangeException.ThrowIfZero(plots.Count);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
            {
                File.WriteAllBytes(path, Png(plots, columns, width, height));
                break;
            }

            case ".svg":
            {
                using var file = File.Create(path);
                using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), file))
                {
                    Draw(canvas, plots, columns, width, height);
                }

                break;
            }

            default:
                throw new ArgumentException($"chart file '{path}' must end in .png or .svg", nameof(path));
        }

        return new ChartImage(title, path, width, height, plots.Sum(p => p.GetPlottables().Count()));
    }

    private static void Draw(SKCanvas canvas, IReadOnlyList<Plot> plots, int columns, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfZero(plots.Count);
        var rows = (plots.Count + columns - 1) / columns;
        var cellWidth = width / (float)columns;
        var cellHeight = height / (float)rows;
        canvas.Clear(SKColors.White);
        for (var i = 0; i < plots.Count; i++)
        {
            var left = i % columns * cellWidth;
            var top = i / columns * cellHeight;
            // Each plot clears its own figure area: clip and translate so it cannot paint over its neighbours.
            canvas.Save();
            canvas.ClipRect(new SKRect(left, top, left + cellWidth, top + cellHeight));
            canvas.Translate(left, top);
            plots[i].Render(canvas, (int)cellWidth, (int)cellHeight);
            canvas.Restore();
        }
    }
}
