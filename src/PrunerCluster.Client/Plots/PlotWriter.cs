using System.Globalization;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Plots;

/// <summary>Writes an experiment's charts: Pareto scatter(s), pairwise panels (3+ objectives), hypervolume, kept channels.</summary>
public static class PlotWriter
{
    public const int Width = 900;
    public const int Height = 600;

    /// <summary>Writes every chart in each of <paramref name="formats"/> ("png", "svg"); <paramref name="members"/> limits the kept-channel charts (null: all members).</summary>
    public static IReadOnlyList<ChartImage> WriteAll(ExperimentResults results, string directory, IReadOnlyList<string> formats, int? members = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(formats);
        Directory.CreateDirectory(directory);
        var images = new List<ChartImage>();
        var objectives = results.Pareto.Objectives.Select(o => o.Metric).ToArray();
        var y = objectives.Contains(MetricNames.Accuracy, StringComparer.Ordinal) ? MetricNames.Accuracy : objectives.FirstOrDefault() ?? MetricNames.Accuracy;
        foreach (var format in formats)
        {
            foreach (var x in objectives.Where(o => o != y).DefaultIfEmpty(MetricNames.Macs))
            {
                using var plot = Charts.ParetoScatter(results, x, y);
                images.Add(ChartFile.Save(plot, $"Pareto scatter: {MetricAxes.Label(y)} vs {MetricAxes.Label(x)}", Path.Combine(directory, $"pareto-{y}-vs-{x}.{format}"), Width, Height));
            }

            if (objectives.Length >= 3)
            {
                var panels = Charts.PairwisePanels(results);
                try
                {
                    var columns = panels.Count <= 3 ? panels.Count : (int)Math.Ceiling(Math.Sqrt(panels.Count));
                    var rows = (panels.Count + columns - 1) / columns;
                    images.Add(ChartFile.SaveGrid(panels, columns, $"Pairwise objectives ({panels.Count} panels)", Path.Combine(directory, $"pareto-pairwise.{format}"), 560 * columns, 440 * rows));
                }
                finally
                {
                    foreach (var p in panels)
                    {
                        p.Dispose();
                    }
                }
            }

            using (var plot = Charts.HypervolumeOverEvaluations(results))
            {
                images.Add(ChartFile.Save(plot, "Hypervolume over evaluations", Path.Combine(directory, $"hypervolume.{format}"), Width, 420));
            }

            var ordered = ParetoReport.Ordered(results.Pareto);
            for (var i = 0; i < Math.Min(members ?? ordered.Count, ordered.Count); i++)
            {
                var rank = (i + 1).ToString(CultureInfo.InvariantCulture);
                using var plot = Charts.KeptChannels(ordered[i].MaskText, $"Pareto member #{rank} ({ordered[i].MaskHash[..Math.Min(12, ordered[i].MaskHash.Length)]}): kept channels per layer");
                images.Add(ChartFile.Save(plot, $"Kept channels of member #{rank}", Path.Combine(directory, $"kept-channels-{rank}.{format}"), Width, 420));
            }
        }

        return images;
    }
}
