using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

public static class StatusLine
{
    public static string Format(ExperimentStatus s, int? budget)
    {
        ArgumentNullException.ThrowIfNull(s);
        var done = budget is { } b ? $"{s.Evaluated,3}/{b}" : $"{s.Evaluated,3}";
        var hv = s.Hypervolume is { } h ? h.ToString("G4", CultureInfo.InvariantCulture) : "-";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{s.State,-9}] evaluated {done}  failed {s.Failed}  in flight {s.InFlight}  generation {s.Generation}  pareto {s.ParetoSize}  hypervolume {hv}  progress {s.Progress:P0}");
    }
}
