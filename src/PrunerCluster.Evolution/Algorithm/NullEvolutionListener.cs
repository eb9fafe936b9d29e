namespace PrunerCluster.Evolution;

public sealed class NullEvolutionListener : IEvolutionListener
{
    public static NullEvolutionListener Instance { get; } = new();

    public void OnEvaluated(EvaluatedEvent evaluated)
    {
    }

    public void OnGenerationCompleted(GenerationCompletedEvent completed)
    {
    }
}
