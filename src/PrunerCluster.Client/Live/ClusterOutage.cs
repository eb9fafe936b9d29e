using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;

namespace PrunerCluster.Client.Live;

/// <summary>
/// Rides out a cluster that stops answering for a while: when a silo dies, the experiments it hosted move to other silos
/// once membership votes it out (seconds), and a client that gave up at the first failed call would leave a search that
/// goes on and finishes. Calls are retried until they answer or <see cref="Tolerance"/> has passed since the first failure.
/// </summary>
public sealed class ClusterOutage(TimeSpan tolerance, TimeSpan retryEvery, TimeProvider time)
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(2);

    private DateTimeOffset? _since;

    public TimeSpan Tolerance => tolerance;

    /// <summary>When the cluster stopped answering (null while it answers).</summary>
    public DateTimeOffset? Since => _since;

    /// <summary>For a command that stays attached (<c>submit --wait</c>, <c>watch</c>): rides out a silo's death and the move of its experiments.</summary>
    public static ClusterOutage Default() => new(DefaultTolerance, TimeSpan.FromSeconds(2), TimeProvider.System);

    /// <summary>For a one-shot read (<c>list</c>, <c>status</c>): rides out the seconds membership needs to vote a dead silo out.</summary>
    public static ClusterOutage Brief() => new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeProvider.System);

    /// <summary>Runs <paramref name="call"/>, retrying cluster failures until the tolerance is spent; then the last failure propagates.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        while (true)
        {
            try
            {
                var result = await call().ConfigureAwait(false);
                if (_since is not null)
                {
                    ClientMetrics.Recovered();
                    _since = null;
                }

                return result;
            }
            catch (Exception ex) when (CliErrors.IsClusterFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                _since ??= now;
                if (now - _since.Value >= tolerance)
                {
                    throw;
                }

                ClientMetrics.Retried();
                await Task.Delay(retryEvery, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
