using System.Runtime.InteropServices;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP each cancel the running command's token once (the default termination is cancelled, so the
/// command can keep what it finished); a second signal is left to its default action and ends the process at once.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _first;

    private StopSignals()
    {
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The signal that cancelled the command, if one did.</summary>
    public PosixSignal? Received => _first == 0 ? null : (PosixSignal)_first;

    public static StopSignals Register()
    {
        var signals = new StopSignals();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            signals._registrations.Add(PosixSignalRegistration.Create(signal, signals.Handle));
        }

        return signals;
    }

    /// <summary>The exit code for a command that ended interrupted: 128 + the number of the signal that stopped it.</summary>
    public int ExitCode(int code) => code == ExitCodes.Interrupted && Received is { } signal ? ExitCodes.ForSignal(signal) : code;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _first, (int)context.Signal, 0) != 0)
        {
            return;
        }

        context.Cancel = true;
        _cancel.Cancel();
    }
}
