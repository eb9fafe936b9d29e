using System.Globalization;
using System.Text;

namespace PrunerCluster.Contracts;

/// <summary>
/// Device class names: lowercase letters, digits and '-', e.g. "cpu-x86-2c" or "nvidia-h100". Measured objectives
/// (latency, energy, throughput) are comparable only between evaluations of one class.
/// </summary>
public static class DeviceClassName
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name[0] != '-' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>Turns free text (a GPU model name, an architecture) into a class-name fragment: "NVIDIA H100 80GB HBM3" becomes "nvidia-h100-80gb-hbm3".</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        return builder.ToString().TrimEnd('-');
    }

    /// <summary>Default class of a CPU silo: architecture and core count, e.g. "cpu-x64-2c".</summary>
    public static string ForCpu(string architecture, int cores) =>
        string.Create(CultureInfo.InvariantCulture, $"cpu-{Normalize(architecture)}-{Math.Max(1, cores)}c");

    /// <summary>Whether a metric depends on the hardware it was measured on (so it is keyed and compared per class).</summary>
    public static bool IsMeasured(string metric) =>
        metric is MetricNames.LatencyMs or MetricNames.EnergyMj or MetricNames.Throughput or MetricNames.PeakMemoryBytes;

    /// <summary>Whether any objective or constraint of the spec is measured on the hardware.</summary>
    public static bool DependsOnDevice(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Objectives.Any(o => IsMeasured(o.Metric)) || spec.Constraints.Any(c => IsMeasured(c.Metric));
    }
}
