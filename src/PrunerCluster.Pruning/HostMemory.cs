using System.Runtime.InteropServices;

namespace PrunerCluster.Pruning;

/// <summary>
/// Steadier CPU timings from glibc's allocator. By default glibc hands tensor-sized blocks (over its mmap threshold)
/// back to the kernel on every free and raises that threshold as the process runs, so the same forward pass pays fresh
/// page faults for its activations in one phase of a search and not in another. Pinning the mmap threshold at its
/// maximum (32 MiB) and not trimming the heap below 512 MiB keeps freed tensor memory for reuse. Linux/glibc only; a
/// no-op elsewhere, and off when the environment variable <see cref="OptOutVariable"/> is "default".
/// </summary>
public static partial class HostMemory
{
    public const string OptOutVariable = "PRUNERCLUSTER_MALLOC";

    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    public const int TrimThresholdBytes = 512 * 1024 * 1024;

    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    private static readonly Lock Gate = new();
    private static bool _attempted;

    /// <summary>Whether the thresholds are in force in this process.</summary>
    public static bool Pinned { get; private set; }

    /// <summary>Pins the thresholds once per process; later calls do nothing. Returns <see cref="Pinned"/>.</summary>
    public static bool Configure()
    {
        lock (Gate)
        {
            if (_attempted)
            {
                return Pinned;
            }

            _attempted = true;
            if (!OperatingSystem.IsLinux() || string.Equals(Environment.GetEnvironmentVariable(OptOutVariable), "default", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            try
            {
                Pinned = Mallopt(MMmapThreshold, MmapThresholdBytes) == 1 && Mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                Pinned = false;
            }

            return Pinned;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
