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

    /// <summary>
    /// Per objective, whether a rung's training changes it (accuracy does; MACs and latency do not). Null = every
    /// objective, the cautious choice: a witness must then be as good in all of them. Used by the feasibility forecast.
    /// </summary>
    public IReadOnlyList<bool>? RungSensitive { get; init; }

    /// <summary>
    /// Top-rung failures, each at least as good at a lower rung as a result there, needed before that result is
    /// forecast to fail the constraints too and is treated as infeasible by survival, the archive and promotion. 0 = no forecast.
    /// </summary>
    public int ForecastWitnesses { get; init; } = 2;

    /// <summary>
    /// The last part of the budget (as a fraction of the termination's progress) in which a steady-state search stops
    /// breeding new rung-0 candidates while promotions beyond the floor(n / eta) quota can still finish: the best
    /// unpromoted feasible result of the highest rung below the top climbs one rung instead. A new candidate started
    /// then rarely reaches the top rung before the budget ends, and below the top its trained metrics count for little;
    /// a result already part-way up finishes there. 0 = off.
    /// </summary>
    public double EndgameFraction { get; init; }

    public bool IsMultiFidelity => Rungs > 1;

    /// <summary>Whether objective <paramref name="index"/> changes with a rung's training (see <see cref="RungSensitive"/>).</summary>
    public bool IsRungSensitive(int index) => RungSensitive is null || (index < RungSensitive.Count && RungSensitive[index]);

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

        if (!(EndgameFraction is >= 0 and <= 0.9))
        {
            throw new ArgumentOutOfRangeException(nameof(EndgameFraction), EndgameFraction, "Fidelity.EndgameFraction must be in [0, 0.9] (0 = off).");
        }

        if (ForecastWitnesses is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ForecastWitnesses), ForecastWitnesses, "Fidelity.ForecastWitnesses must be in [0, 1000] (0 = no forecast).");
        }
    }
}
