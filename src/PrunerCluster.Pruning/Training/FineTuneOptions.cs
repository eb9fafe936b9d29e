namespace PrunerCluster.Pruning.Training;

public enum OptimizerKind
{
    Adam,

    /// <summary>SGD with Nesterov momentum 0.9.</summary>
    Sgd,
}

public sealed record FineTuneOptions
{
    public int Steps { get; init; }

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    public double WeightDecay { get; init; }

    /// <summary>Cosine decay of the learning rate to zero over <see cref="Steps"/>.</summary>
    public bool Cosine { get; init; } = true;

    /// <summary>Steps over which the learning rate rises linearly from LearningRate / WarmupSteps to LearningRate (0 = none).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Weight alpha of the distillation term: loss = (1 - alpha) CE + alpha T^2 KL(teacher || student); 0 disables it.</summary>
    public double DistillationWeight { get; init; }

    public double DistillationTemperature { get; init; } = 4;

    /// <summary>A loss above this (or NaN/infinite) stops training as divergent.</summary>
    public double DivergenceLoss { get; init; } = 1e3;

    public ulong Seed { get; init; } = 1;
}

public sealed record TrainOutcome(bool Diverged, string? Reason, int StepsDone, double FinalLoss, double MeanLoss)
{
    /// <summary>Steps whose loss or gradients came out non-finite and were undone and replayed from the last snapshot.</summary>
    public int Rollbacks { get; init; }

    /// <summary>Training samples whose teacher logits this run computed (shared chunks another run had computed are not counted).</summary>
    public long TeacherSamples { get; init; }

    /// <summary>Seconds this run spent computing those teacher logits.</summary>
    public double TeacherSeconds { get; init; }
}
