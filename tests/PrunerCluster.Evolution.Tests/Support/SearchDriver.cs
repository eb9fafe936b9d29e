namespace PrunerCluster.Evolution.Tests.Support;

internal static class SearchDriver
{
    /// <summary>Ask/tell through the interface until terminated or nothing more is proposed; returns every candidate asked, in order.</summary>
    public static List<Candidate> Run(ISearchAlgorithm search, Func<Genome, Evaluation?> evaluate, int batch, int maxSteps = 10_000)
    {
        var asked = new List<Candidate>();
        for (var step = 0; step < maxSteps && !search.IsTerminated; step++)
        {
            var candidates = search.Ask(batch);
            if (candidates.Count == 0)
            {
                break;
            }

            asked.AddRange(candidates);
            foreach (var c in candidates)
            {
                if (evaluate(c.Genome) is { } evaluation)
                {
                    search.Tell(c.Id, evaluation);
                }
                else
                {
                    search.TellFailure(c.Id, "failed");
                }
            }
        }

        return asked;
    }

    /// <summary>The non-dominated feasible results by brute force (minimization form), as candidate ids.</summary>
    public static long[] NonDominatedIds(Problem problem, IReadOnlyList<(long Id, Evaluation Evaluation)> results)
    {
        var feasible = results.Where(r => r.Evaluation.IsFeasible).Select(r => (r.Id, Min: problem.ToMinimization(r.Evaluation.Objectives))).ToList();
        return [.. feasible.Where(a => !feasible.Any(b => Dominance.Dominates(b.Min, a.Min))).Select(a => a.Id).Order()];
    }
}
