using System.Runtime.InteropServices;

namespace PrunerCluster.Pruning;

/// <summary>
/// How libtorch runs CPU convolutions: through oneDNN (mkldnn), through oneDNN with channel counts padded to blocks of
/// <see cref="ChannelBlock"/>, or with its native kernels. On some hosts oneDNN's convolutions return NaN for finite
/// inputs and weights now and then (seen on an AMD EPYC, family 0x1A, in a VM: a convolution with 18 channels gave
/// non-finite outputs in 17 of 1,500 identical calls, bit-identical outputs otherwise; channel counts that are multiples
/// of 16 were not affected), which makes pruned models' fine-tuning diverge. The environment variable
/// <see cref="ModeVariable"/> chooses: <c>auto</c> (default) keeps oneDNN until the first numeric fault is reported
/// (<see cref="ReportNumericFault"/>), then pads channel counts that are not multiples of the block with zero channels
/// (<see cref="PadsChannels"/>: the same function, computed by oneDNN's unaffected blocked kernels), and only after a
/// fault while padding switches to the native kernels for the rest of the process; <c>pad</c> pads from the start and
/// never switches; <c>off</c> uses the native kernels from the start (about 3x slower training of the unpruned VGG on 2
/// cores, deterministic); <c>on</c> never switches. Linux only; elsewhere, or when libtorch lacks the switch, nothing
/// changes. libtorch keeps these switches per process, so a per-host choice would have hosts overriding each other: the
/// process's one owner of them, and of the padding that works around oneDNN's faults, is <see cref="Process"/>.
/// </summary>
public sealed unsafe class ConvolutionBackend
{
    public const string ModeVariable = "PRUNERCLUSTER_ONEDNN";

    /// <summary>The channel block oneDNN's AVX-512 convolutions work in; padding rounds channel counts up to it.</summary>
    public const int ChannelBlock = 16;

    private readonly KernelPolicy _policy;
    private delegate* unmanaged<IntPtr, byte, void> _setEnabled;
    private delegate* unmanaged<IntPtr, byte, void> _setNnpack;
    private delegate* unmanaged<IntPtr, byte> _nnpackEnabled;
    private IntPtr _context;

    private ConvolutionBackend() => _policy = new(() => Mode, () => OperatingSystem.IsLinux() && Bind() ? (Action<bool>)SetOneDnn : null);

    /// <summary>The owner of this process's libtorch convolution kernel switches.</summary>
    public static ConvolutionBackend Process { get; } = new();

    /// <summary>
    /// Whether convolutions whose channel counts are not multiples of <see cref="ChannelBlock"/> run right now on
    /// zero-padded weights and inputs (the model's forward pass reads this per convolution): in <c>pad</c> mode, and in
    /// <c>auto</c> mode after oneDNN's first fault, except while a model is timed (<see cref="OptimizedForTiming"/>), so
    /// that latency stays that of the model as deployed.
    /// </summary>
    public bool PadsChannels => _policy.PadsChannels;

    /// <summary>Why channel counts are padded; null while they are not.</summary>
    public string? PaddingReason => _policy.PaddingReason;

    /// <summary>Why oneDNN was switched off; null while it is on.</summary>
    public string? DisabledReason => _policy.DisabledReason;

    /// <summary>Whether convolutions go through oneDNN right now (as far as this process changed it).</summary>
    public bool OneDnnEnabled => _policy.OneDnnEnabled;

    /// <summary>libtorch's NNPACK switch (off after <see cref="Apply"/>); null where it cannot be read.</summary>
    public bool? NnpackEnabled => OperatingSystem.IsLinux() && Bind() && _nnpackEnabled != null ? _nnpackEnabled(_context) != 0 : null;

    /// <summary>Numeric faults reported in this process.</summary>
    public long Faults => _policy.Faults;

    /// <summary>The mode from <see cref="ModeVariable"/>: auto, on, off or pad (unknown values read as auto).</summary>
    public static string Mode => Environment.GetEnvironmentVariable(ModeVariable)?.Trim().ToLowerInvariant() switch
    {
        "off" => "off",
        "on" => "on",
        "pad" => "pad",
        _ => "auto",
    };

    /// <summary>
    /// Applies the mode once per process (call after libtorch is loaded); later calls do nothing. NNPACK is switched off
    /// for the whole process first, whatever the mode (<see cref="DisableNnpack"/>).
    /// </summary>
    public void Apply()
    {
        DisableNnpack();
        _policy.Apply();
    }

    /// <summary>
    /// While a model is timed, turns oneDNN back on when it was switched off for training and stops padding: timing runs
    /// alone on the device (the caller holds the exclusive <see cref="Scheduling.TimingWindow"/>), its outputs are
    /// discarded, so a stray NaN costs nothing, and latency stays that of the deployed model on the optimized kernels, not
    /// of the native fallback (whose im2col buffers cross the allocator's mmap threshold at some widths and not at others)
    /// or of the padded copies. Null when there is nothing to undo.
    /// </summary>
    public IDisposable? OptimizedForTiming() => _policy.OptimizedForTiming();

    /// <summary>
    /// Records a non-finite result (<paramref name="where"/> names the computation). In auto mode, while oneDNN is on,
    /// <paramref name="reproduces"/> recomputes the same thing with the native kernels and says whether it is still
    /// non-finite: if it is not, the fault was oneDNN's and channel counts are padded from then on (the first such fault)
    /// or convolutions stay native for the rest of the process (a fault while padding); if it is (a real divergence),
    /// nothing changes. Returns whether this call changed how convolutions run.
    /// </summary>
    public bool ReportNumericFault(string where, Func<bool> reproduces) => _policy.ReportNumericFault(where, reproduces);

    /// <summary>
    /// In auto mode, turns oneDNN back on, unpadded, after a fault switched it to padding or off, so that the next,
    /// independent piece of work (a benchmark arm whose channel counts may never fault) does not inherit the slower
    /// kernels; a new fault switches them again. Call only while no training runs. Returns how and why the kernels had
    /// been changed, or null when nothing changed (plain oneDNN, or a mode other than <c>auto</c>).
    /// </summary>
    public string? RestoreAfterFault() => _policy.RestoreAfterFault();

    private void SetOneDnn(bool enabled) => _setEnabled(_context, enabled ? (byte)1 : (byte)0);

    /// <summary>
    /// Convolutions that oneDNN does not take (with oneDNN on, libtorch's heuristics still leave some small ones to the
    /// native kernels; with it off, all of them) ask libtorch whether NNPACK is available first, and on hosts NNPACK does
    /// not support that logs "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr again and again (39
    /// times in one 17-minute search with oneDNN on). Switched off for the process, those convolutions go straight to
    /// libtorch's native kernels, as they do on such hosts anyway.
    /// </summary>
    private void DisableNnpack()
    {
        if (OperatingSystem.IsLinux() && Bind() && _setNnpack != null)
        {
            _setNnpack(_context, 0);
        }
    }

    private bool Bind()
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

            if (NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledNNPACKEv", out var nnpackEnabled))
            {
                _nnpackEnabled = (delegate* unmanaged<IntPtr, byte>)nnpackEnabled;
            }
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }
}
