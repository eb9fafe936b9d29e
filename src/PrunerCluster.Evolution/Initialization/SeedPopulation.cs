namespace PrunerCluster.Evolution;

/// <summary>
/// The deterministic members an <see cref="Nsga2Settings"/> puts first into a first population, repaired, in order: the
/// unpruned genome, the magnitude masks of the seed rankings, the uniform-level ladder, then the explicit seed genomes
/// (e.g. <see cref="RuleInitialization"/> baselines). Duplicates are left in; the caller keeps the first of each.
/// </summary>
public static class SeedPopulation
{
    public static IEnumerable<Genome> Genomes(Problem problem, Nsga2Settings settings)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        return Enumerate(problem, settings);
    }

    private static IEnumerable<Genome> Enumerate(Problem problem, Nsga2Settings settings)
    {
        var layout = problem.Layout;
        if (settings.IncludeFullGenome)
        {
            yield return problem.Repair(Genome.Full(layout));
        }

        foreach (var ranking in settings.SeedRankings ?? [])
        {
            foreach (var ratio in ranking.KeepRatios)
            {
                yield return problem.Repair(RankingInitialization.Create(layout, ranking, ratio));
            }
        }

        foreach (var fraction in settings.SeedLevelFractions ?? [])
        {
            yield return problem.Repair(LevelInitialization.Create(layout, fraction, settings.LevelKeepFractions));
        }

        foreach (var text in settings.SeedGenomes ?? [])
        {
            yield return problem.Repair(Genome.Parse(layout, text));
        }
    }
}
