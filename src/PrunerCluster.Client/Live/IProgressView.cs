using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>
/// Shows an experiment's progress until it reaches a terminal state: <paramref name="poll"/> is called about every
/// <paramref name="interval"/>. Cancellation (Ctrl+C) ends the view and throws <see cref="OperationCanceledException"/>;
/// the caller decides whether that detaches or cancels.
/// </summary>
public interface IProgressView
{
    Task<ExperimentStatus> RunAsync(Func<CancellationToken, Task<ProgressSnapshot>> poll, TimeSpan interval, CancellationToken cancellationToken);
}
