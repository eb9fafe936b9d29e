namespace PrunerCluster.Evolution;

/// <summary>Progress events of an <see cref="ISearchAlgorithm"/> run (<see cref="Nsga2"/> and the others), called synchronously on the thread that calls Tell.</summary>
public interface IEvolutionListener
{
    void OnEvaluated(EvaluatedEvent evaluated);

    void OnGenerationCompleted(GenerationCompletedEvent completed);
}
