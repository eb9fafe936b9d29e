namespace PrunerCluster.Pruning.Training;

/// <summary>Where a training run stands: steps and epochs done (one-based), the last step's loss and the time so far.</summary>
public sealed record TrainingProgress(int Step, int Steps, int Epoch, int Epochs, double Loss, TimeSpan Elapsed);
