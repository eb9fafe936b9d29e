using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// The silo process's lifetime in place of the generic host's console lifetime: SIGTERM, SIGHUP, SIGINT and SIGQUIT each
/// start the graceful stop once (the drain, bounded by "PrunerCluster:Drain:GracePeriodSeconds" or <c>--grace</c>, then
/// Orleans' shutdown). The console lifetime ignores SIGHUP, so a closed terminal killed the silo with no drain, and it
/// swallows every later signal too; here a second signal is left to its default action and ends the process at once.
/// </summary>
internal sealed partial class SiloSignalLifetime(IHostApplicationLifetime lifetime, IOptions<DrainOptions> drain, ILogger<SiloSignalLifetime> logger) : IHostLifetime, IDisposable
{
    private static readonly PosixSignal[] Signals = [PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT];
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in Signals)
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, Handle));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref _received, 1) == 1)
        {
            // Default action: the process ends now (128 + the signal), whatever the drain was doing.
            SecondSignal(logger, context.Signal);
            return;
        }

        context.Cancel = true;
        var options = drain.Value;
        Stopping(logger, context.Signal, options.Enabled ? options.GracePeriodSeconds : 0);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Received {Signal}: stopping; running evaluations get up to {GraceSeconds} s to finish (a second signal stops at once).")]
    private static partial void Stopping(ILogger logger, PosixSignal signal, int graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Received {Signal} again: stopping at once.")]
    private static partial void SecondSignal(ILogger logger, PosixSignal signal);
}
