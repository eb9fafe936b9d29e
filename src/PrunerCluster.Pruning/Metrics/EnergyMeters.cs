using System.Globalization;
using System.Runtime.InteropServices;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>A cumulative hardware energy counter. Readers are optional: <see cref="EnergyMeters.TryOpen"/> returns null when none is readable.</summary>
public interface IEnergyCounter : IDisposable
{
    /// <summary>"measured-nvml" or "measured-rapl".</summary>
    string Source { get; }

    /// <summary>Cumulative energy in joules (monotonic apart from hardware wraparound, which implementations absorb).</summary>
    double ReadJoules();
}

/// <summary>
/// Analytic energy per inference when no counter exists. Constants from Horowitz, "Computing's energy problem" (ISSCC 2014, 45 nm):
/// fp32 multiply 3.7 pJ + add 0.9 pJ = 4.6 pJ per MAC; 32-bit DRAM access 640 pJ = 160 pJ per byte. Traffic per sample = weights / batch
/// (read once per batch) + every conv/linear input and output activation (fp32). Meant for ranking models, not for absolute joules.
/// </summary>
public static class EnergyModel
{
    public const double JoulesPerMac = 4.6e-12;
    public const double JoulesPerByte = 160e-12;

    public static double MillijoulesPerInference(ModelFootprint footprint, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var bytes = ((double)footprint.NonzeroParameters * sizeof(float) / batchSize) + footprint.ActivationBytesPerSample;
        return ((footprint.EffectiveMacs * JoulesPerMac) + (bytes * JoulesPerByte)) * 1000.0;
    }
}

public static class EnergyMeters
{
    /// <summary>NVML for CUDA devices, RAPL for CPU; null when the machine exposes neither (then energy is modeled).</summary>
    public static IEnergyCounter? TryOpen(bool cuda, int deviceIndex = 0) =>
        cuda ? NvmlEnergyCounter.TryOpen(deviceIndex) : RaplEnergyCounter.TryOpen();
}

/// <summary>Total-energy counter of an NVIDIA GPU (Volta+) via libnvidia-ml.so.1, resolved at run time so the library stays optional.</summary>
public sealed unsafe class NvmlEnergyCounter : IEnergyCounter
{
    private readonly nint library;
    private readonly nint device;
    private readonly delegate* unmanaged<nint, ulong*, int> getTotalEnergy;
    private readonly delegate* unmanaged<int> shutdown;

    private NvmlEnergyCounter(nint library, nint device, delegate* unmanaged<nint, ulong*, int> getTotalEnergy, delegate* unmanaged<int> shutdown)
    {
        this.library = library;
        this.device = device;
        this.getTotalEnergy = getTotalEnergy;
        this.shutdown = shutdown;
    }

    public string Source => MetricSources.MeasuredNvml;

    public static NvmlEnergyCounter? TryOpen(int deviceIndex)
    {
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib))
        {
            return null;
        }

        if (!NativeLibrary.TryGetExport(lib, "nvmlInit_v2", out var init)
            || !NativeLibrary.TryGetExport(lib, "nvmlDeviceGetHandleByIndex_v2", out var byIndex)
            || !NativeLibrary.TryGetExport(lib, "nvmlDeviceGetTotalEnergyConsumption", out var energy)
            || !NativeLibrary.TryGetExport(lib, "nvmlShutdown", out var shut))
        {
            NativeLibrary.Free(lib);
            return null;
        }

        if (((delegate* unmanaged<int>)init)() != 0)
        {
            NativeLibrary.Free(lib);
            return null;
        }

        nint handle;
        ulong probe;
        var getEnergy = (delegate* unmanaged<nint, ulong*, int>)energy;
        if (((delegate* unmanaged<uint, nint*, int>)byIndex)((uint)deviceIndex, &handle) != 0 || getEnergy(handle, &probe) != 0)
        {
            ((delegate* unmanaged<int>)shut)();
            NativeLibrary.Free(lib);
            return null;
        }

        return new NvmlEnergyCounter(lib, handle, getEnergy, (delegate* unmanaged<int>)shut);
    }

    public double ReadJoules()
    {
        ulong millijoules;
        var status = getTotalEnergy(device, &millijoules);
        return status != 0 ? throw new InvalidOperationException($"nvmlDeviceGetTotalEnergyConsumption failed with status {status}.") : millijoules / 1000.0;
    }

    public void Dispose()
    {
        shutdown();
        NativeLibrary.Free(library);
    }
}

/// <summary>Sum of the package-level RAPL domains (/sys/class/powercap/intel-rapl:N/energy_uj, microjoules), unwrapping at max_energy_range_uj.</summary>
public sealed class RaplEnergyCounter : IEnergyCounter
{
    private readonly (string Path, double Range)[] domains;
    private readonly double[] last;
    private readonly double[] accumulated;
    private readonly Lock gate = new();

    private RaplEnergyCounter((string Path, double Range)[] domains)
    {
        this.domains = domains;
        last = domains.Select(d => ReadMicrojoules(d.Path)).ToArray();
        accumulated = new double[domains.Length];
    }

    public string Source => MetricSources.MeasuredRapl;

    public static RaplEnergyCounter? TryOpen(string root = "/sys/class/powercap")
    {
        try
        {
            if (!Directory.Exists(root))
            {
                return null;
            }

            var domains = Directory.GetDirectories(root, "intel-rapl:*")
                .Where(d => Path.GetFileName(d).Count(c => c == ':') == 1)
                .Select(d => (Path: Path.Combine(d, "energy_uj"), RangePath: Path.Combine(d, "max_energy_range_uj")))
                .Where(d => File.Exists(d.Path))
                .Select(d => (d.Path, Range: File.Exists(d.RangePath) ? ReadMicrojoules(d.RangePath) : double.MaxValue))
                .OrderBy(d => d.Path, StringComparer.Ordinal)
                .ToArray();
            return domains.Length == 0 ? null : new RaplEnergyCounter(domains);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public double ReadJoules()
    {
        lock (gate)
        {
            var total = 0.0;
            for (var i = 0; i < domains.Length; i++)
            {
                var now = ReadMicrojoules(domains[i].Path);
                var delta = now - last[i];
                if (delta < 0)
                {
                    delta += domains[i].Range;
                }

                accumulated[i] += delta;
                last[i] = now;
                total += accumulated[i];
            }

            return total / 1e6;
        }
    }

    public void Dispose()
    {
    }

    private static double ReadMicrojoules(string path) => double.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
}
