namespace PrunerCluster.Evolution;

/// <summary>Checks that a saved search state belongs to the problem it is restored for.</summary>
internal static class SearchStateCheck
{
    public static void Matches(Problem problem, string layoutHash, IReadOnlyList<string> objectiveNames, string parameter)
    {
        if (!string.Equals(layoutHash, problem.Layout.ContentHash, StringComparison.Ordinal))
        {
            throw new ArgumentException("The state was saved for another genome layout (layout hash differs).", parameter);
        }

        if (!objectiveNames.SequenceEqual(problem.Objectives.Select(o => o.Name), StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The state's objectives ({string.Join(", ", objectiveNames)}) differ from the problem's ({string.Join(", ", problem.Objectives.Select(o => o.Name))}).",
                parameter);
        }
    }
}
