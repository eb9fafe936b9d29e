namespace PrunerCluster.Evolution.Tests.Fidelity;

[Trait("Category", "Unit")]
public sealed class FeasibilityForecastTests
{
    private static readonly FidelityLadderSpec AccuracyOnly = new() { Rungs = 3, RungSensitive = [true, false] };

    // Minimized objectives: [-accuracy, macs].
    private static readonly (double[] AtRung, double TopViolation)[] Witnesses =
    [
        ([-0.30, 1.0], 4.0),
        ([-0.25, 9.0], 2.5),
        ([-0.60, 5.0], 0.0),
    ];

    [Fact]
    public void TwoTopFailuresAtLeastAsGoodGiveTheSmallestOfTheirViolations()
    {
        Assert.Equal(2.5, FeasibilityForecast.Violation(AccuracyOnly, 0, [-0.20, 3.0], Witnesses));
    }

    [Fact]
    public void OneWitnessIsNotEnough()
    {
        Assert.Equal(0, FeasibilityForecast.Violation(AccuracyOnly, 0, [-0.28, 3.0], Witnesses));
    }

    [Fact]
    public void AWitnessThatDidBetterAtTheTopOrWorseAtTheRungIsNoEvidence()
    {
        Assert.Equal(0, FeasibilityForecast.Violation(AccuracyOnly, 0, [-0.50, 3.0], Witnesses));
    }

    [Fact]
    public void ObjectivesTheRungDoesNotTrainAreIgnoredUnlessNoneAreNamed()
    {
        Assert.Equal(2.5, FeasibilityForecast.Violation(AccuracyOnly, 1, [-0.20, 0.5], Witnesses));
        var everyObjective = AccuracyOnly with { RungSensitive = null };
        Assert.Equal(0, FeasibilityForecast.Violation(everyObjective, 1, [-0.20, 0.5], Witnesses));
        Assert.Equal(2.5, FeasibilityForecast.Violation(everyObjective, 1, [-0.20, 9.5], Witnesses));
    }

    [Fact]
    public void NoForecastAtTheTopRungOrWhenSwitchedOff()
    {
        Assert.Equal(0, FeasibilityForecast.Violation(AccuracyOnly, 2, [-0.20, 3.0], Witnesses));
        Assert.Equal(0, FeasibilityForecast.Violation(AccuracyOnly with { ForecastWitnesses = 0 }, 0, [-0.20, 3.0], Witnesses));
    }

    [Fact]
    public void ANegativeWitnessCountIsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (AccuracyOnly with { ForecastWitnesses = -1 }).Validate());
        Assert.Contains("ForecastWitnesses", ex.Message, StringComparison.Ordinal);
    }
}
