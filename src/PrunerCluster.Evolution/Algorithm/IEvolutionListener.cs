namespace PrunerCluster.Evolution;

/// <summary>Progress events of an <see cref="Nsga2"/> run, called synchronously on the thread that calls Tell.</summary>
public interface IEvolutionListener
{
    void OnEvaluated(EvaluatedEvent evaluated);

    void OnGenerationCompleted(GenerationCompletedEvent completed);
}
