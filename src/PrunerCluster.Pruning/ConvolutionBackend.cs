using System.Runtime.InteropServices;

namespace PrunerCluster.Pruning;

/// <summary>
/// Whether libtorch runs CPU convolutions through oneDNN (mkldnn) or its native kernels. On some hosts oneDNN's
/// convolutions return NaN for finite inputs and weights now and then (seen on an AMD EPYC, family 0x1A, in a VM: a
/// convolution with 18 channels gave non-finite outputs in 17 of 1,500 identical calls, bit-identical outputs otherwise;
/// channel counts that are multiples of 16 were not affected), which makes pruned models' fine-tuning diverge. The
/// environment variable <see cref="ModeVariable"/> chooses: <c>auto</c> (default) keeps oneDNN until the first numeric
/// fault is reported (<see cref="ReportNumericFault"/>), then switches to the native kernels for the rest of the
/// process; <c>off</c> uses the native kernels from the start (about 3x slower training of the unpruned VGG on 2 cores,
/// deterministic); <c>on</c> never switches. Linux only; elsewhere, or when libtorch lacks the switch, nothing changes.
/// </summary>
public static unsafe class ConvolutionBackend
{
    public const string ModeVariable = "PRUNERCLUSTER_ONEDNN";

    private static readonly Lock Gate = new();
    private static bool _applied;
    private static bool _disabled;
    private static long _faults;
    private static delegate* unmanaged<IntPtr, byte, void> _setEnabled;
    private static delegate* unmanaged<IntPtr, byte, void> _setNnpack;
    private static IntPtr _context;

    private static int _timingOverrides;

    /// <summary>Whether convolutions go through oneDNN right now (as far as this process changed it).</summary>
    public static bool OneDnnEnabled
    {
        get
        {
            lock (Gate)
            {
                return !_disabled || _timingOverrides > 0;
            }
        }
    }

    /// <summary>
    /// Turns oneDNN back on while a model is timed, when it was switched off for training: timing runs alone on the device
    /// (the caller holds the exclusive <see cref="Scheduling.TimingWindow"/>), its outputs are discarded, so a stray NaN
    /// costs nothing, and latency stays that of the optimized kernels a deployed model runs on, not of the native
    /// fallback (whose im2col buffers cross the allocator's mmap threshold at some widths and not at others). Null when
    /// there is nothing to undo.
    /// </summary>
    public static IDisposable? OptimizedForTiming()
    {
        lock (Gate)
        {
            if (!_disabled || _setEnabled == null)
            {
                return null;
            }

            if (_timingOverrides++ == 0)
            {
                SetOneDnn(true);
            }

            return new TimingOverride();
        }
    }

    private sealed class TimingOverride : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (Gate)
            {
                if (--_timingOverrides == 0 && _disabled)
                {
                    SetOneDnn(false);
                }
            }
        }
    }

    /// <summary>Numeric faults reported in this process.</summary>
    public static long Faults => Interlocked.Read(ref _faults);

    /// <summary>Why oneDNN was switched off; null while it is on.</summary>
    public static string? DisabledReason { get; private set; }

    /// <summary>The mode from <see cref="ModeVariable"/>: auto, on or off (unknown values read as auto).</summary>
    public static string Mode => Environment.GetEnvironmentVariable(ModeVariable)?.Trim().ToLowerInvariant() switch
    {
        "off" => "off",
        "on" => "on",
        _ => "auto",
    };

    /// <summary>Applies the mode once per process (call after libtorch is loaded); later calls do nothing.</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (_applied)
            {
                return;
            }

            _applied = true;
            if (Mode == "off")
            {
                Disable($"{ModeVariable}=off");
            }
        }
    }

    /// <summary>
    /// Records a non-finite result (<paramref name="where"/> names the computation). In auto mode, while oneDNN is on,
    /// <paramref name="reproduces"/> recomputes the same thing with the native kernels and says whether it is still
    /// non-finite: if it is not, the fault was oneDNN's and convolutions stay native for the rest of the process; if it
    /// is (a real divergence), oneDNN is switched back on. Returns whether this call switched oneDNN off.
    /// </summary>
    public static bool ReportNumericFault(string where, Func<bool> reproduces)
    {
        ArgumentNullException.ThrowIfNull(reproduces);
        Interlocked.Increment(ref _faults);
        lock (Gate)
        {
            _applied = true;
            if (Mode != "auto" || _disabled || !OperatingSystem.IsLinux() || !Bind())
            {
                return false;
            }

            SetOneDnn(false);
            bool real;
            try
            {
                real = reproduces();
            }
            catch
            {
                SetOneDnn(true);
                throw;
            }

            if (real)
            {
                SetOneDnn(true);
                return false;
            }

            _disabled = true;
            DisabledReason = $"a non-finite {where} that the native kernels did not reproduce";
            return true;
        }
    }

    /// <summary>
    /// In auto mode, turns oneDNN back on after a fault switched it off, so that the next, independent piece of work (a
    /// benchmark arm whose channel counts may never fault) does not inherit the slower native kernels; a new fault
    /// switches them again. Call only while no training runs. Returns why oneDNN had been off, or null when nothing changed
    /// (oneDNN on, or the mode is <c>off</c> or <c>on</c>).
    /// </summary>
    public static string? RestoreAfterFault()
    {
        lock (Gate)
        {
            if (Mode != "auto" || !_disabled || _setEnabled == null)
            {
                return null;
            }

            var reason = DisabledReason;
            SetOneDnn(true);
            _disabled = false;
            DisabledReason = null;
            return reason;
        }
    }

    private static bool Disable(string reason)
    {
        if (_disabled || !OperatingSystem.IsLinux() || !Bind())
        {
            return false;
        }

        SetOneDnn(false);
        _disabled = true;
        DisabledReason = reason;
        return true;
    }

    /// <summary>Native convolutions without oneDNN go through NNPACK first where libtorch has it, which on hosts it does not
    /// support logs a warning on every call: it is switched together with oneDNN.</summary>
    private static void SetOneDnn(bool enabled)
    {
        _setEnabled(_context, enabled ? (byte)1 : (byte)0);
        if (_setNnpack != null)
        {
            _setNnpack(_context, enabled ? (byte)1 : (byte)0);
        }
    }

    private static bool Bind()
    {
        if (_setEnabled != null)
        {
            return true;
        }

        try
        {
            var lib = NativeLibrary.Load("libtorch_cpu.so");
            if (!NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var context)
                || !NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setter))
            {
                return false;
            }

            _context = ((delegate* unmanaged<IntPtr>)context)();
            _setEnabled = (delegate* unmanaged<IntPtr, byte, void>)setter;
            if (NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledNNPACKEb", out var nnpack))
            {
                _setNnpack = (delegate* unmanaged<IntPtr, byte, void>)nnpack;
            }
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }
}
