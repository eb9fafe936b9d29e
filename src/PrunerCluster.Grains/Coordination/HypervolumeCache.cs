using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The engine's hypervolume, computed again only after new evaluations (reads are frequent, results are not).</summary>
public sealed class HypervolumeCache
{
    private (int Evaluated, double? Value) _last = (-1, null);

    public double? Get(ISearchAlgorithm? engine, ExperimentSpec? spec, PreparedExperiment? prepared)
    {
        if (engine is null || spec is null || prepared is null)
        {
            return null;
        }

        if (_last.Evaluated != engine.EvaluationCount)
        {
            _last = (engine.EvaluationCount, engine.ParetoFront.Count == 0 ? 0 : engine.Hypervolume(EvolutionMapping.ReferencePoint(spec, prepared)));
        }

        return _last.Value;
    }
}
