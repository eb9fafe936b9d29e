using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains;

/// <summary>Translates contract records into the evolution library's types (no GA logic here).</summary>
public static class EvolutionMapping
{
    public static Problem Problem(ExperimentSpec spec, PreparedExperiment prepared) =>
        new(
            Layout(prepared),
            spec.Objectives.Select(o => new ObjectiveSpec(o.Metric, o.Direction == ObjectiveDirection.Maximize ? Direction.Maximize : Direction.Minimize)).ToArray(),
            spec.Constraints.Select(Constraint).ToArray());

    /// <summary>The genome layout of a prepared experiment's segments.</summary>
    public static GenomeLayout Layout(PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return new GenomeLayout(prepared.Segments.Select(s => new SegmentSpec(s.Name, s.Bits, s.IntGenes, s.IntGeneMax, s.MinKeep)).ToArray());
    }

    public static ConstraintSpec Constraint(ConstraintDefinition c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ConstraintSpec(c.Metric, c.Operator == ConstraintOperator.GreaterOrEqual ? ConstraintOp.GreaterOrEqual : ConstraintOp.LessOrEqual, c.Threshold);
    }

    public static Nsga2Settings Settings(ExperimentSpec spec, PreparedExperiment prepared) => EncodingDefaults.Seeding(new()
    {
        PopulationSize = spec.Search.PopulationSize,
        Seed = spec.Search.Seed,
        Mode = spec.Search.Mode == SearchMode.Generational ? DriverMode.Generational : DriverMode.SteadyState,
        CrossoverProbability = spec.Search.CrossoverProbability,
        MutationRate = spec.Search.MutationRate,
        Selection = EncodingDefaults.Selection(spec.Search.Selection),
        Crossover = EncodingDefaults.Crossover(spec.Search.Crossover, prepared),
        Mutation = EncodingDefaults.Mutation(spec.Search.Mutation, prepared),
        Termination = Termination(spec),
        Fidelity = new FidelityLadderSpec
        {
            Rungs = spec.IsMultiFidelity ? spec.Search.Fidelities!.Count : 1,
            Eta = spec.Search.PromotionEta ?? SearchSettings.DefaultPromotionEta,
            EndgameFraction = spec.Search.Endgame ?? SearchSettings.DefaultEndgame,
            RungSensitive = [.. spec.Objectives.Select(o => !MetricNames.IsStructural(o.Metric))],
        },
    }, prepared);

    /// <summary>The spec's budget as termination criteria (every search algorithm honours it).</summary>
    public static TerminationSpec Termination(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TerminationSpec
        {
            MaxEvaluations = spec.Budget.MaxEvaluations,
            MaxGenerations = spec.Budget.MaxGenerations,
            WallClock = spec.Budget.WallClock,
        };
    }

    /// <summary>Random search settings: the spec's seed and budget, a generation of one population's size.</summary>
    public static RandomSearchSettings RandomSettings(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new RandomSearchSettings
        {
            Seed = spec.Search.Seed,
            GenerationSize = spec.Search.PopulationSize,
            Termination = Termination(spec),
        };
    }

    /// <summary>Hypervolume reference: 10% worse than the unpruned baseline for minimized metrics, 0 for maximized ones.</summary>
    public static double[] ReferencePoint(ExperimentSpec spec, PreparedExperiment prepared) =>
        spec.Objectives.Select(o =>
        {
            if (o.Direction == ObjectiveDirection.Maximize)
            {
                return 0.0;
            }

            return prepared.BaselineMetrics.TryGetValue(o.Metric, out var baseline) && baseline > 0 ? baseline * 1.1 : 1.0;
        }).ToArray();
}
