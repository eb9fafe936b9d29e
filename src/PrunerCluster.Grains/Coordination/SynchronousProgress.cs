namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread. <see cref="Progress{T}"/> would post
/// to the captured synchronization context, which inside a grain is the grain's scheduler.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
