using TorchSharp;

namespace PrunerCluster.Pruning;

/// <summary>
/// The one owner of libtorch's thread count, which libtorch keeps per process: every change of it goes through
/// <see cref="Process"/>. A host configures the count its training runs with (<see cref="Configure"/>; evaluations only ask
/// for one when none is configured yet, <see cref="ConfigureIfUnset"/>), and a timing window leases its own count for its
/// duration (<see cref="Lease"/>). Conflicting requests are guarded, not raced: a lease for another count waits until the
/// leases in force end; a configuration made while a lease holds takes effect when the last lease ends; a request to
/// configure a count other than the one configured is refused and recorded (<see cref="Refused"/>).
/// </summary>
public sealed class LibTorchThreads
{
    private readonly Action<int> _set;
    private readonly Func<int> _get;
    private readonly object _sync = new();
    private int _configured;
    private int _leased;
    private int _leases;
    private int _restore;
    private long _refused;

    internal LibTorchThreads(Action<int> set, Func<int> get)
    {
        _set = set;
        _get = get;
    }

    /// <summary>The owner of this process's libtorch thread count.</summary>
    public static LibTorchThreads Process { get; } = new(n => torch.set_num_threads(n), () => torch.get_num_threads());

    /// <summary>The count configured for work outside timing windows; 0 while none is.</summary>
    public int Configured
    {
        get
        {
            lock (_sync)
            {
                return _configured;
            }
        }
    }

    /// <summary>The count held by the leases in force; 0 while none is.</summary>
    public int Leased
    {
        get
        {
            lock (_sync)
            {
                return _leased;
            }
        }
    }

    /// <summary>Requests (<see cref="ConfigureIfUnset"/>) refused because another count was configured.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Sets the count outside timing windows; while a lease holds, it applies when the last lease ends.</summary>
    public void Configure(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (_sync)
        {
            if (_leases == 0 && _configured != threads)
            {
                _set(threads);
            }

            _configured = threads;
        }
    }

    /// <summary>
    /// Configures <paramref name="threads"/> only if nothing was configured before, so the first setting (the silo's or the
    /// tool's) stays in force; returns whether it applied. A request for another count than the configured one is refused.
    /// </summary>
    public bool ConfigureIfUnset(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (_sync)
        {
            if (_configured == 0)
            {
                if (_leases == 0)
                {
                    _set(threads);
                }

                _configured = threads;
                return true;
            }

            if (_configured != threads)
            {
                Interlocked.Increment(ref _refused);
            }

            return false;
        }
    }

    /// <summary>
    /// Holds <paramref name="threads"/> until the returned lease is disposed, then restores the configured count (or the
    /// count found, when none is configured). Leases for the same count share; one for another count waits (cancellably).
    /// </summary>
    public Releaser Lease(int threads, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (_sync)
        {
            while (_leases > 0 && _leased != threads)
            {
                ct.ThrowIfCancellationRequested();
                Monitor.Wait(_sync, TimeSpan.FromMilliseconds(50));
            }

            ct.ThrowIfCancellationRequested();
            if (_leases == 0)
            {
                _restore = _get();
                if (_restore != threads)
                {
                    _set(threads);
                }

                _leased = threads;
            }

            _leases++;
        }

        return new Releaser(this);
    }

    private void Release()
    {
        lock (_sync)
        {
            if (--_leases > 0)
            {
                return;
            }

            _leased = 0;
            try
            {
                var target = _configured > 0 ? _configured : _restore;
                if (_get() != target)
                {
                    _set(target);
                }
            }
            finally
            {
                Monitor.PulseAll(_sync);
            }
        }
    }

    /// <summary>Ends a lease; disposing twice is harmless.</summary>
    public sealed class Releaser : IDisposable
    {
        private LibTorchThreads? _owner;

        internal Releaser(LibTorchThreads owner) => _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }
}
