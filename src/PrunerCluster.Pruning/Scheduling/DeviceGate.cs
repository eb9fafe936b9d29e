namespace PrunerCluster.Pruning.Scheduling;

/// <summary>
/// A reader/writer gate of one compute device (its host keeps one per device in <see cref="DeviceGates"/>). Training and validation take the shared side one step (or one
/// batch) at a time; a timing window takes the exclusive side, so no other slot's work runs on the device (or, for the CPU,
/// on the same cores) while a model is being timed. Writers are preferred: once a timing window waits, no new shared
/// holder enters, and slots pause at their next safe point (between fine-tune steps) until the window closes.
/// Waits are cancellable. Not re-entrant: a thread holding one side must not enter again.
/// </summary>
public sealed class DeviceGate
{
    private readonly object _sync = new();
    private int _shared;
    private bool _exclusive;
    private int _waitingExclusive;
    private int _waitingShared;
    private long _exclusiveWindows;
    private long _sharedPauses;

    public DeviceGate(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        Device = device;
    }

    public string Device { get; }

    /// <summary>Exclusive windows granted so far.</summary>
    public long ExclusiveWindows => Interlocked.Read(ref _exclusiveWindows);

    /// <summary>Times a shared entry had to wait for an exclusive window (a slot paused at a safe point).</summary>
    public long SharedPauses => Interlocked.Read(ref _sharedPauses);

    public int SharedHolders
    {
        get
        {
            lock (_sync)
            {
                return _shared;
            }
        }
    }

    /// <summary>Timing windows waiting to open.</summary>
    public int WaitingExclusive
    {
        get
        {
            lock (_sync)
            {
                return _waitingExclusive;
            }
        }
    }

    /// <summary>Slots paused at a safe point, waiting for a timing window to close.</summary>
    public int WaitingShared
    {
        get
        {
            lock (_sync)
            {
                return _waitingShared;
            }
        }
    }

    public bool IsExclusive
    {
        get
        {
            lock (_sync)
            {
                return _exclusive;
            }
        }
    }

    /// <summary>The gate key of a device: "cpu" for every CPU device, "cuda:N" for a CUDA device ("cuda" = "cuda:0").</summary>
    public static string Normalize(string device)
    {
        var d = device.Trim().ToLowerInvariant();
        if (d.StartsWith("cuda", StringComparison.Ordinal))
        {
            return d == "cuda" ? "cuda:0" : d;
        }

        return "cpu";
    }

    public Releaser EnterShared(CancellationToken ct = default)
    {
        lock (_sync)
        {
            var paused = false;
            try
            {
                while (_exclusive || _waitingExclusive > 0)
                {
                    if (!paused)
                    {
                        paused = true;
                        _waitingShared++;
                    }

                    Wait(ct);
                }
            }
            finally
            {
                if (paused)
                {
                    _waitingShared--;
                }
            }

            if (paused)
            {
                _sharedPauses++;
            }

            _shared++;
        }

        return new Releaser(this, exclusive: false);
    }

    public Releaser EnterExclusive(CancellationToken ct = default)
    {
        lock (_sync)
        {
            _waitingExclusive++;
            try
            {
                while (_exclusive || _shared > 0)
                {
                    Wait(ct);
                }
            }
            catch
            {
                _waitingExclusive--;
                Monitor.PulseAll(_sync);
                throw;
            }

            _waitingExclusive--;
            _exclusive = true;
            _exclusiveWindows++;
        }

        return new Releaser(this, exclusive: true);
    }

    private void Wait(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();

        // Short timed waits keep cancellation responsive without registering callbacks under the lock.
        Monitor.Wait(_sync, TimeSpan.FromMilliseconds(50));
        ct.ThrowIfCancellationRequested();
    }

    private void Exit(bool exclusive)
    {
        lock (_sync)
        {
            if (exclusive)
            {
                _exclusive = false;
            }
            else
            {
                _shared--;
            }

            Monitor.PulseAll(_sync);
        }
    }

    /// <summary>Leaves the side entered; disposing twice is harmless.</summary>
    public sealed class Releaser : IDisposable
    {
        private readonly bool _exclusive;
        private DeviceGate? _gate;

        internal Releaser(DeviceGate gate, bool exclusive)
        {
            _gate = gate;
            _exclusive = exclusive;
        }

        public void Dispose()
        {
            var gate = Interlocked.Exchange(ref _gate, null);
            gate?.Exit(_exclusive);
        }
    }
}
