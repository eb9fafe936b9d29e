namespace PrunerCluster.Pruning;

/// <summary>How convolutions are computed right now.</summary>
public enum KernelStage
{
    /// <summary>oneDNN, channel counts as they are.</summary>
    OneDnn,

    /// <summary>oneDNN, channel counts padded to whole blocks (<see cref="ConvolutionBackend.ChannelBlock"/>).</summary>
    Padded,

    /// <summary>libtorch's native kernels.</summary>
    Native,
}

/// <summary>
/// The state machine behind <see cref="ConvolutionBackend"/>, apart from libtorch: <paramref name="mode"/> gives the
/// policy (auto, on, off, pad), <paramref name="bind"/> the switch that turns oneDNN on or off (null where libtorch has
/// none; asked for only when needed). auto: plain oneDNN -> a fault the native kernels do not reproduce -> padded ->
/// another such fault -> native; pad: padded from <see cref="Apply"/> on, never switches; off: native from
/// <see cref="Apply"/> on; on: never switches.
/// </summary>
internal sealed class KernelPolicy(Func<string> mode, Func<Action<bool>?> bind)
{
    private readonly Lock _gate = new();
    private Action<bool>? _setOneDnn;
    private bool _applied;
    private bool _disabled;
    private bool _padding;
    private int _timingOverrides;
    private long _faults;
    private volatile bool _padActive;

    public bool PadsChannels => _padActive;

    public string? PaddingReason { get; private set; }

    public string? DisabledReason { get; private set; }

    public long Faults => Interlocked.Read(ref _faults);

    public KernelStage Stage
    {
        get
        {
            lock (_gate)
            {
                return _disabled ? KernelStage.Native : _padding ? KernelStage.Padded : KernelStage.OneDnn;
            }
        }
    }

    public bool OneDnnEnabled
    {
        get
        {
            lock (_gate)
            {
                return !_disabled || _timingOverrides > 0;
            }
        }
    }

    public void Apply()
    {
        lock (_gate)
        {
            if (_applied)
            {
                return;
            }

            _applied = true;
            var m = mode();
            if (m == "off")
            {
                Disable($"{ConvolutionBackend.ModeVariable}=off");
            }
            else if (m == "pad")
            {
                StartPadding($"{ConvolutionBackend.ModeVariable}=pad");
            }
        }
    }

    public IDisposable? OptimizedForTiming()
    {
        lock (_gate)
        {
            var native = _disabled && _setOneDnn != null;
            if (!native && !_padding)
            {
                return null;
            }

            if (_timingOverrides++ == 0 && native)
            {
                _setOneDnn!(true);
            }

            UpdatePadding();
            return new TimingOverride(this);
        }
    }

    public bool ReportNumericFault(string where, Func<bool> reproduces)
    {
        ArgumentNullException.ThrowIfNull(reproduces);
        Interlocked.Increment(ref _faults);
        lock (_gate)
        {
            _applied = true;
            if (mode() != "auto" || _disabled || !Bound())
            {
                return false;
            }

            var set = _setOneDnn!;
            set(false);
            bool real;
            try
            {
                real = reproduces();
            }
            finally
            {
                set(true);
            }

            if (real)
            {
                return false;
            }

            var reason = $"a non-finite {where} that the native kernels did not reproduce";
            if (!_padding)
            {
                StartPadding(reason);
                return true;
            }

            set(false);
            _disabled = true;
            DisabledReason = reason + $" (channel counts were padded to blocks of {ConvolutionBackend.ChannelBlock})";
            UpdatePadding();
            return true;
        }
    }

    public string? RestoreAfterFault()
    {
        lock (_gate)
        {
            if (mode() != "auto" || !(_disabled || _padding) || _setOneDnn == null)
            {
                return null;
            }

            var reason = DisabledReason is { } native ? $"native kernels since {native}" : $"channel counts padded to blocks of {ConvolutionBackend.ChannelBlock} since {PaddingReason}";
            _setOneDnn(true);
            _disabled = false;
            DisabledReason = null;
            _padding = false;
            PaddingReason = null;
            UpdatePadding();
            return reason;
        }
    }

    private bool Bound()
    {
        _setOneDnn ??= bind();
        return _setOneDnn != null;
    }

    private void Disable(string reason)
    {
        if (_disabled || !Bound())
        {
            return;
        }

        _setOneDnn!(false);
        _disabled = true;
        DisabledReason = reason;
        UpdatePadding();
    }

    private void StartPadding(string reason)
    {
        _padding = true;
        PaddingReason = reason;
        UpdatePadding();
    }

    private void UpdatePadding() => _padActive = _padding && !_disabled && _timingOverrides == 0;

    private sealed class TimingOverride(KernelPolicy policy) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (policy._gate)
            {
                if (--policy._timingOverrides == 0 && policy._disabled)
                {
                    policy._setOneDnn?.Invoke(false);
                }

                policy.UpdatePadding();
            }
        }
    }
}
