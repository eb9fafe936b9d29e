using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// Runs the silo's drain when the host begins to stop (SIGTERM, Ctrl-C), before any hosted service stops, so the Orleans
/// silo is still fully up while queued evaluations are handed back and running ones finish and report.
/// </summary>
internal sealed class SiloDrainService(SiloDrain drain, IOptions<DrainOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        options.Value.Enabled ? drain.DrainAsync(options.Value.GracePeriod, cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
