namespace PrunerCluster.Evolution;

/// <summary>
/// Multi-fidelity search: every new genome is evaluated at rung 0 (the cheapest fidelity); asynchronous successive
/// halving promotes the best 1/<see cref="Eta"/> of each rung's results to the next rung. The engine knows only rung
/// numbers; what a rung costs (fine-tune steps, validation samples) is the caller's business.
/// </summary>
public sealed record FidelityLadderSpec
{
    /// <summary>Number of rungs; 1 = single fidelity (no promotion).</summary>
    public int Rungs { get; init; } = 1;

    /// <summary>Reduction factor: a rung promotes the top floor(n / Eta) of its n results.</summary>
    public int Eta { get; init; } = 3;

    public bool IsMultiFidelity => Rungs > 1;

    public void Validate()
    {
        if (Rungs is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(Rungs), Rungs, "Fidelity.Rungs must be in [1, 16].");
        }

        if (Eta is < 2 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "Fidelity.Eta must be in [2, 64].");
        }
    }
}
