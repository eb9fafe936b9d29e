using TorchSharp;

namespace PrunerCluster.Pruning.Scheduling;

/// <summary>
/// Exclusive use of a device for timing: holds the device's <see cref="DeviceGate"/> exclusively and, on the CPU, leases
/// the evaluation's own libtorch thread count from <see cref="LibTorchThreads.Process"/> for the window's duration. libtorch's
/// thread count is process-wide, which is why it may only change while no other slot computes.
/// </summary>
public sealed class TimingWindow : IDisposable
{
    private readonly DeviceGate.Releaser _hold;
    private readonly LibTorchThreads.Releaser? _threads;
    private bool _disposed;

    private TimingWindow(DeviceGate.Releaser hold, LibTorchThreads.Releaser? threads, int threadCount, TimeSpan waited)
    {
        _hold = hold;
        _threads = threads;
        Threads = threadCount;
        Waited = waited;
    }

    /// <summary>Threads in effect inside the window (0 for CUDA, where the CPU thread count is left alone).</summary>
    public int Threads { get; }

    /// <summary>How long opening the window waited for other slots to reach a safe point.</summary>
    public TimeSpan Waited { get; }

    /// <summary>Opens a window on <paramref name="device"/>, whose gate is <paramref name="gate"/> (the host's, from its <see cref="DeviceGates"/>).</summary>
    public static TimingWindow Open(DeviceGate gate, torch.Device device, int threads, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var hold = gate.EnterExclusive(ct);
        var waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (device.type != DeviceType.CPU)
        {
            return new TimingWindow(hold, null, 0, waited);
        }

        try
        {
            return new TimingWindow(hold, LibTorchThreads.Process.Lease(threads, ct), threads, waited);
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _threads?.Dispose();
        }
        finally
        {
            _hold.Dispose();
        }
    }
}
