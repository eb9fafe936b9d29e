using PrunerCluster.Client.CommandLine;
using PrunerCluster.Cli.Quality;
using PrunerCluster.Engine.Quality;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Tests;

/// <summary>The quality benchmark's equal-compute mode (<c>--ladder</c>): parsing, the recovery choice and the verdict.</summary>
[Trait("Category", "Unit")]
public sealed class QualityEqualComputeTests
{
    private static readonly QualityReference Reference = new(0.90, 1000, 10, 0.91, 10);

    [Fact]
    public void A_ladder_parses_rungs_with_optional_validation_samples_and_bad_rungs_name_the_option()
    {
        var ladder = QualityOptions.ParseLadder("0:1000, 100,300");
        Assert.Equal([0, 100, 300], ladder.Select(r => r.FineTuneSteps));
        Assert.Equal([1000, null, null], ladder.Select(r => r.ValidationSamples));
        Assert.Equal(300, new QualityOptions { Ladder = ladder }.SearchSteps);
        Assert.Equal(100, new QualityOptions().SearchSteps);

        foreach (var bad in new[] { "", "100,50", "0:x,100", "0:0,100", "a,b", "0:1:2,5" })
        {
            var error = Assert.Throws<CliException>(() => QualityOptions.ParseLadder(bad));
            Assert.StartsWith("--ladder", error.Message, StringComparison.Ordinal);
        }

        var parsed = QualityCommand.ParseOptions(["--ladder", "300", "--model", "resnet", "--recover-within", "3"]);
        Assert.True(parsed.IsLadder);
        Assert.Equal("resnet", parsed.Model);
        Assert.Equal(3, parsed.RecoverWithinPoints);
        Assert.Equal("nsga2-keepRatio-single300", QualityRunner.NsgaArm("keepRatio", parsed));
        Assert.Equal("nsga2-keepRatio-drop5", QualityRunner.NsgaArm("keepRatio", QualityCommand.ParseOptions(["--ladder", "0,300", "--nsga-max-drop", "5"])));
        Assert.Contains("--recover-within", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(["--recover-within", "0"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_is_recovered_as_the_product_chooses_from_its_front_and_never_at_the_unpruned_cost()
    {
        var spec = new ExperimentSpec
        {
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
            FinalRecovery = new FinalRecoverySettings { MaxMembers = 2, MaxDropPoints = 3 },
        };
        QualityPoint P(string hash, double accuracy, double macs) => new("mask-" + hash, hash, accuracy, macs, 1, true);
        QualityPoint[] points =
        [
            P("full", 0.90, 1000),   // as costly as the unpruned model: never recovered
            P("a", 0.895, 800),
            P("b", 0.885, 400),
            P("dominated", 0.88, 900),
            P("c", 0.875, 200),      // 2.5 points: within 3
            P("far", 0.80, 100),     // 10 points: beyond MaxDropPoints
        ];

        var chosen = RecoveryChoice.Product(spec, points, Reference, null);

        // Two members spread over log MACs from the costliest (a) to the cheapest (c) within 3 points.
        Assert.Equal(["a", "c"], chosen.Select(c => c.Hash).Order(StringComparer.Ordinal));
        Assert.All(chosen, c => Assert.Equal("mask-" + c.Hash, c.Text));

        // The search's own Pareto set, when given, is the front; its unpruned-cost member is left out the same way.
        ParetoEntry E(string hash, double accuracy, double macs) => new()
        {
            MaskText = "mask-" + hash,
            MaskHash = hash,
            IndividualKey = hash,
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.Macs] = macs, [MetricNames.AccuracyDrop] = (0.9 - accuracy) * 100 },
        };
        var fromPareto = RecoveryChoice.Product(spec, [], Reference, [E("full", 0.90, 1000), E("x", 0.89, 500)]);
        Assert.Equal("x", Assert.Single(fromPareto).Hash);
    }

    [Fact]
    public void The_verdict_divides_the_recovered_hypervolume_by_the_best_single_rule_and_reports_the_compute_ratio()
    {
        // Recovered at half the MACs, 1 point below the recovered unpruned model (91 %): (1 - 0.5) x (1 - 0.1).
        Assert.Equal(0.45, QualityMetrics.RecoveredHypervolume([new RecoveredPoint("m", 0.90, 500, 5, 1)], Reference), 9);

        MethodRun Run(string method, double hypervolume, double train) => new()
        {
            Method = method,
            Seed = 1,
            HypervolumeRecovered = hypervolume,
            ComputeTrainSamples = train,
            ComputeForwardSamples = 1000,
        };
        IReadOnlyList<MethodRun> runs = [Run("nsga2-keepRatio", 0.60, 1000), Run(QualityRunner.Uniform, 0.40, 1000), Run(QualityRunner.Lamp, 0.50, 1500)];

        var lines = QualityComparison.Lines([(1UL, Reference, runs)]);

        Assert.Equal(2, lines.Count);
        Assert.StartsWith("after final recovery", lines[0], StringComparison.Ordinal);

        // 0.60 over LAMP's 0.50; compute (3 x 1000 + 1000) over LAMP's (3 x 1500 + 1000) = 4000 / 5500.
        Assert.Equal("  nsga2-keepRatio: 1.20x (1.20x vs lamp); its search compute over that baseline's: 0.73x (forward-equivalent samples)", lines[1]);
        Assert.Contains("HV(test,MACs) recovered", QualityReport.Table(new QualityOptions { Seeds = [1], Ladder = QualityOptions.ParseLadder("0,300") }, [(1UL, Reference, runs)]), StringComparison.Ordinal);
    }
}
