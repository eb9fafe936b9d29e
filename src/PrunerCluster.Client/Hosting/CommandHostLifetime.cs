using Microsoft.Extensions.Hosting;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// The lifetime of a host that a CLI command starts and stops itself (the Orleans client, the embedded silo): it registers
/// no signal handlers, so SIGINT, SIGTERM and SIGHUP reach the command's own handling (<see cref="CommandLine.StopSignals"/>)
/// instead of being swallowed by the generic host's console lifetime.
/// </summary>
public sealed class CommandHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
