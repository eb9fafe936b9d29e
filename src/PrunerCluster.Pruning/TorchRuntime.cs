using TorchSharp;

namespace PrunerCluster.Pruning;

/// <summary>
/// Process-wide TorchSharp setup. libtorch ignores container CPU limits, so the thread count is always set explicitly,
/// through its one owner, <see cref="LibTorchThreads.Process"/>.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The thread count configured for this process; 0 while none is.</summary>
    public static int Threads => LibTorchThreads.Process.Configured;

    public static void Initialize(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        HostMemory.Configure();
        LibTorchThreads.Process.Configure(threads);
        ConvolutionBackend.Process.Apply();
    }

    /// <summary>
    /// Sets the process-wide thread count only if nothing set it before: evaluations call this so that the first setting
    /// (the silo's or the tool's) stays in force for training, while each evaluation's own count applies inside its timing
    /// window (<see cref="Scheduling.TimingWindow"/>), the only time the count may change under other slots' feet.
    /// </summary>
    public static void EnsureInitialized(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        HostMemory.Configure();
        LibTorchThreads.Process.ConfigureIfUnset(threads);
        ConvolutionBackend.Process.Apply();
    }

    /// <summary>"auto" picks CUDA when available, else CPU; "cpu", "cuda" and "cuda:N" are taken literally.</summary>
    public static torch.Device SelectDevice(string preference = "auto")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(preference);
        var p = preference.Trim().ToLowerInvariant();
        if (p == "auto")
        {
            return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }

        if (p.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
        {
            throw new ArgumentException($"Device '{preference}' requested but CUDA is not available (CPU backend or no GPU).", nameof(preference));
        }

        if (p != "cpu" && !p.StartsWith("cuda", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Unknown device '{preference}'; expected auto, cpu, cuda or cuda:N.", nameof(preference));
        }

        return new torch.Device(p);
    }

    internal static void Synchronize(torch.Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize(device);
        }
    }
}
