namespace PrunerCluster.Contracts;

/// <summary>How far an experiment's preparation (training its baseline) has come, as the preparing backend last reported it.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.PreparationProgress")]
public sealed record PreparationProgress
{
    /// <summary>What is being prepared, e.g. "baseline vgg on fashion-mnist".</summary>
    [Id(0)] public string Phase { get; init; } = "";

    [Id(1)] public int Step { get; init; }

    [Id(2)] public int TotalSteps { get; init; }

    [Id(3)] public int Epoch { get; init; }

    [Id(4)] public int TotalEpochs { get; init; }

    /// <summary>Training loss at <see cref="Step"/>.</summary>
    [Id(5)] public double Loss { get; init; }

    [Id(6)] public double ElapsedSeconds { get; init; }

    public double Fraction => TotalSteps > 0 ? Math.Clamp((double)Step / TotalSteps, 0, 1) : 0;

    /// <summary>Time left at the pace so far; null before the first step.</summary>
    public TimeSpan? Eta => Step > 0 && TotalSteps >= Step ? TimeSpan.FromSeconds(Math.Round(ElapsedSeconds / Step * (TotalSteps - Step))) : null;
}
