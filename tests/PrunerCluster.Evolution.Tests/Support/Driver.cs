namespace PrunerCluster.Evolution.Tests.Support;

internal static class Driver
{
    /// <summary>Ask/tell until terminated; results told in ask order unless <paramref name="shuffle"/> is given.</summary>
    public static void Run(Nsga2 engine, Func<Genome, Evaluation> evaluate, int batch, RandomSource? shuffle = null, int maxSteps = int.MaxValue)
    {
        for (var step = 0; step < maxSteps && !engine.IsTerminated; step++)
        {
            var asked = engine.Ask(batch).ToList();
            if (asked.Count == 0)
            {
                Assert.Empty(engine.PendingIds);
                break;
            }

            shuffle?.Shuffle(asked);
            foreach (var c in asked)
            {
                engine.Tell(c.Id, evaluate(c.Genome));
            }
        }
    }

    public static string Describe(IReadOnlyList<ArchiveEntry> front) =>
        string.Join("\n", front.Select(e => $"{e.CandidateId} {e.Genome.ContentHash} {string.Join(",", e.Evaluation.Objectives)}"));
}
