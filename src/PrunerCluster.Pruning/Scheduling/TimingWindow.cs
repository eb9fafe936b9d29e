using TorchSharp;

namespace PrunerCluster.Pruning.Scheduling;

/// <summary>
/// Exclusive use of a device for timing: holds the device's <see cref="DeviceGate"/> exclusively and, on the CPU, sets
/// libtorch's thread count to the evaluation's own for the window's duration, restoring it afterwards. libtorch's thread
/// count is process-wide, which is why it may only change while no other slot computes.
/// </summary>
public sealed class TimingWindow : IDisposable
{
    private readonly DeviceGate.Releaser _hold;
    private readonly int _restoreThreads;
    private bool _disposed;

    private TimingWindow(DeviceGate.Releaser hold, int restoreThreads, int threads, TimeSpan waited)
    {
        _hold = hold;
        _restoreThreads = restoreThreads;
        Threads = threads;
        Waited = waited;
    }

    /// <summary>Threads in effect inside the window (0 for CUDA, where the CPU thread count is left alone).</summary>
    public int Threads { get; }

    /// <summary>How long opening the window waited for other slots to reach a safe point.</summary>
    public TimeSpan Waited { get; }

    public static TimingWindow Open(torch.Device device, int threads, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var hold = DeviceGate.For(device.ToString()).EnterExclusive(ct);
        var waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (device.type != DeviceType.CPU)
        {
            return new TimingWindow(hold, 0, 0, waited);
        }

        try
        {
            var previous = torch.get_num_threads();
            if (previous != threads)
            {
                torch.set_num_threads(threads);
            }

            return new TimingWindow(hold, previous, threads, waited);
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
            if (_restoreThreads > 0 && torch.get_num_threads() != _restoreThreads)
            {
                torch.set_num_threads(_restoreThreads);
            }
        }
        finally
        {
            _hold.Dispose();
        }
    }
}
