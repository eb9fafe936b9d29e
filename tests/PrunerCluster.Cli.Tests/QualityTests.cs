using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Cli.Quality;
using PrunerCluster.Engine.Quality;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Tests;

[Trait("Category", "Slow")]
public sealed class QualityTests
{
    private static string[] Parse(params string[] args) => args;

    [Fact]
    public void Hypervolume_uses_the_fixed_normalisation_and_reference_point()
    {
        // One point at half the MACs with a 2-point drop dominates (1 - 0.5) x (1 - 0.2) of the unit box.
        Assert.Equal(0.4, QualityMetrics.Hypervolume([(0.5, 2.0)]), 9);

        // Negative drops count as 0; points beyond the reference (costlier than unpruned or >= 10 points) add nothing.
        Assert.Equal(0.5, QualityMetrics.Hypervolume([(0.5, -1.0), (1.2, 0.0), (0.1, 12.0)]), 9);
        Assert.Equal(0, QualityMetrics.Hypervolume([]));
        Assert.Equal(0.4 + (0.25 * 0.6), QualityMetrics.Hypervolume([(0.5, 2.0), (0.25, 4.0)]), 9);
    }

    [Fact]
    public void The_three_objective_hypervolume_uses_the_same_normalisation_with_latency_as_a_third_axis()
    {
        // Half the MACs, 0.8 of the latency, a 2-point drop: (1 - 0.5) x (1 - 0.8) x (1 - 0.2).
        Assert.Equal(0.08, QualityMetrics.Hypervolume3D([(0.5, 0.8, 2.0)]), 9);

        // A point slower than the unpruned model adds nothing; one that is only cheaper in latency adds its own slab.
        Assert.Equal(0.08, QualityMetrics.Hypervolume3D([(0.5, 0.8, 2.0), (0.4, 1.1, 0.0)]), 9);
        Assert.Equal(0.08 + (0.5 * 0.3 * 0.8), QualityMetrics.Hypervolume3D([(0.5, 0.8, 2.0), (0.5, 0.5, 2.0)]), 9);
        Assert.Equal(0, QualityMetrics.Hypervolume3D([]));
    }

    [Fact]
    public void Rescoring_a_written_report_recomputes_every_hypervolume_from_its_points()
    {
        var reference = new QualityReference(0.90, 1000, 10, 0.91, 10);
        QualityPoint[] points = [new("m1", "h1", 0.88, 500, 8, true), new("m2", "h2", 0.86, 250, 9, true), new("m3", "h3", 0.5, 100, 1, false, "failed")];
        var run = new MethodRun { Method = "uniform", Seed = 3, Points = points, MacReductionWithin10 = 2.5 };
        var scored = QualityMetrics.Scored(run, reference);
        Assert.Equal(QualityMetrics.Hypervolume([(0.5, 2.0), (0.25, 4.0)]), scored.HypervolumeMacs, 9);
        Assert.Equal(QualityMetrics.Hypervolume([(0.8, 2.0), (0.9, 4.0)]), scored.HypervolumeLatency, 9);
        Assert.Equal(QualityMetrics.Hypervolume3D([(0.5, 0.8, 2.0), (0.25, 0.9, 4.0)]), scored.HypervolumeAll, 9);

        var directory = Path.Combine(Path.GetTempPath(), "prunercluster-rescore-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var options = new QualityOptions { Seeds = [3], Budget = 3 };
            var unscored = run with { HypervolumeMacs = 0.123 };
            QualityReport.Write(directory, options, [(3UL, reference, [unscored])], "table");
            var (stored, results) = QualityRescore.Load(Path.Combine(directory, QualityReport.JsonFileName));
            Assert.Equal(3, stored.Budget);
            var again = Assert.Single(Assert.Single(results).Runs);
            Assert.Equal((scored.HypervolumeMacs, scored.HypervolumeLatency, scored.HypervolumeAll, 2.5), (again.HypervolumeMacs, again.HypervolumeLatency, again.HypervolumeAll, again.MacReductionWithin10));
            Assert.Equal("failed", again.Points[2].FailureReason);

            // Two runs of the same settings and other seeds merge into one table; the same seed or another budget is refused.
            var second = Path.Combine(directory, "second");
            QualityReport.Write(second, options with { Seeds = [4] }, [(4UL, reference, [unscored with { Seed = 4 }])], "table");
            var (mergedOptions, merged) = QualityRescore.Load([Path.Combine(directory, QualityReport.JsonFileName), Path.Combine(second, QualityReport.JsonFileName)]);
            Assert.Equal([3UL, 4UL], mergedOptions.Seeds);
            Assert.Equal([3UL, 4UL], merged.Select(r => r.Seed));
            Assert.Contains("already in an earlier file", Assert.Throws<CliException>(() => QualityRescore.Load([Path.Combine(directory, QualityReport.JsonFileName), Path.Combine(directory, QualityReport.JsonFileName)])).Message, StringComparison.Ordinal);
            var third = Path.Combine(directory, "third");
            QualityReport.Write(third, options with { Seeds = [5], Budget = 4 }, [(5UL, reference, [unscored with { Seed = 5 }])], "table");
            Assert.Contains("was run with budget 4", Assert.Throws<CliException>(() => QualityRescore.Load([Path.Combine(directory, QualityReport.JsonFileName), Path.Combine(third, QualityReport.JsonFileName)])).Message, StringComparison.Ordinal);

            // An arm run later for a seed already there joins that seed, its latencies rescaled to the earlier run's unpruned
            // timing (20 ms then, 10 ms in the first file): 16 ms there counts as 8 ms here.
            var variant = Path.Combine(directory, "variant");
            var later = reference with { LatencyMs = 20, TestLatencyMs = 20 };
            var arm = new MethodRun { Method = "nsga2-keepRatio-drop10", Seed = 3, Points = [new("m4", "h4", 0.88, 500, 16, true)], Recovered = [new("h4", 0.9, 500, 12, 1)] };
            QualityReport.Write(variant, options with { NsgaOnly = true, NsgaMaxDrop = 10 }, [(3UL, later, [arm])], "table");
            var (withArm, armed) = QualityRescore.Load([Path.Combine(directory, QualityReport.JsonFileName), Path.Combine(variant, QualityReport.JsonFileName)]);
            Assert.Equal([3UL], withArm.Seeds);
            var (_, seedReference, seedRuns) = Assert.Single(armed);
            Assert.Equal(reference, seedReference);
            Assert.Equal(["uniform", "nsga2-keepRatio-drop10"], seedRuns.Select(r => r.Method));
            Assert.Equal((8.0, 6.0), (seedRuns[1].Points[0].LatencyMs, seedRuns[1].Recovered[0].LatencyMs));
            Assert.Equal(QualityMetrics.Hypervolume([(0.8, 2.0)]), seedRuns[1].HypervolumeLatency, 9);
            Assert.Contains("nsga2-keepRatio-drop10", QualityReport.Table(withArm, armed), StringComparison.Ordinal);

            // ... but not when the unpruned model differs (another baseline or validation set).
            var otherBaseline = Path.Combine(directory, "other-baseline");
            QualityReport.Write(otherBaseline, options, [(3UL, later with { ValidationAccuracy = 0.85 }, [arm])], "table");
            Assert.Contains("only runs of the same baseline", Assert.Throws<CliException>(() => QualityRescore.Load([Path.Combine(directory, QualityReport.JsonFileName), Path.Combine(otherBaseline, QualityReport.JsonFileName)])).Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(directory, "other.json"), "{\"seeds\": []}");
            Assert.Contains("other.json", Assert.Throws<CliException>(() => QualityRescore.Load(Path.Combine(directory, "other.json"))).Message, StringComparison.Ordinal);
            Assert.Contains("does not exist", Assert.Throws<CliException>(() => QualityRescore.Load(Path.Combine(directory, "none.json"))).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_verdict_divides_each_nsga_arm_and_the_pooled_front_by_the_better_baseline_per_plane()
    {
        var reference = new QualityReference(0.90, 1000, 10, 0.91, 10);
        MethodRun Run(string method, ulong seed, double accuracy, double macs, double ms) =>
            QualityMetrics.Scored(new MethodRun { Method = method, Seed = seed, Points = [new("m", method, accuracy, macs, ms, true)] }, reference);
        IReadOnlyList<MethodRun> Seed(ulong seed) =>
        [
            Run("nsga2-keepRatio", seed, 0.89, 400, 5),  // HV(MACs) 0.6 x 0.9 = 0.54; HV(latency) 0.5 x 0.9 = 0.45
            Run(QualityRunner.Uniform, seed, 0.88, 500, 8),  // 0.5 x 0.8 = 0.40; 0.2 x 0.8 = 0.16
            Run(QualityRunner.Random, seed, 0.86, 250, 9),  // 0.75 x 0.6 = 0.45; 0.1 x 0.6 = 0.06
        ];

        var lines = QualityComparison.Lines([(1UL, reference, Seed(1)), (2UL, reference, Seed(2))]);
        Assert.Equal(4, lines.Count);

        // MACs: 0.54 over the better baseline on that plane (random, 0.45); latency: 0.45 over uniform's 0.16.
        Assert.StartsWith("  nsga2-keepRatio: MACs 1.20x (1.20x, 1.20x), latency 2.81x (2.81x, 2.81x)", lines[1], StringComparison.Ordinal);

        // Pooled front over the three points: (0.25, 0.4) and (0.4, 0.1) -> 0.15 x 0.6 + 0.6 x 0.9 = 0.63 = 1.40x random's 0.45.
        Assert.Equal(0.63, QualityComparison.Pooled(Seed(1), reference).Macs, 9);
        Assert.StartsWith("  pooled front (3 methods, 3 masks per seed): MACs 1.40x (1.40x, 1.40x)", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("HV(acc,MACs) 0.6300", lines[2], StringComparison.Ordinal);
        Assert.Contains(lines[1], QualityReport.Table(new QualityOptions { Seeds = [1, 2], Budget = 1 }, [(1UL, reference, Seed(1)), (2UL, reference, Seed(2))]), StringComparison.Ordinal);

        // Uniform evaluated the same mask on both seeds: its spread is noise. With another mask on seed 2 there is no such line.
        Assert.Equal("  noise: uniform evaluated the same 1 masks on every seed; their HV(acc,MACs) ranged 0.4000-0.4000 (0.0 % of the mean) from fine-tuning and validation noise alone", lines[3]);
        var noisy = Run(QualityRunner.Uniform, 2, 0.87, 500, 8);  // same mask hash "uniform", HV 0.5 x 0.7 = 0.35
        Assert.Contains("ranged 0.3500-0.4000 (13.3 % of the mean)", QualityComparison.SameMaskNoise([(1UL, reference, Seed(1)), (2UL, reference, [noisy])], QualityRunner.Uniform), StringComparison.Ordinal);
        var other = noisy with { Points = [new("m", "another", 0.87, 500, 8, true)] };
        Assert.Null(QualityComparison.SameMaskNoise([(1UL, reference, Seed(1)), (2UL, reference, [other])], QualityRunner.Uniform));

        // Without a random or uniform arm (--nsga-only) there is nothing to divide by.
        Assert.Empty(QualityComparison.Lines([(1UL, reference, [Run("nsga2-keepRatio", 1, 0.89, 400, 5)])]));
    }

    [Fact]
    public void Fronts_and_reductions_follow_the_tolerances()
    {
        Assert.Equal([0, 2], QualityMetrics.Front([(0.9, 10), (0.85, 12), (0.8, 5)]));
        (double, double)[] members = [(0.905, 50), (0.90, 25), (0.89, 10)];
        Assert.Equal(4.0, QualityMetrics.BestReduction(members, 0.91, 100, 1.0), 9);
        Assert.Equal(2.0, QualityMetrics.BestReduction(members, 0.91, 100, 0.5), 9);
        Assert.Equal(1.0, QualityMetrics.BestReduction(members, 0.99, 100, 0.5), 9);
        Assert.Equal((2.0, 1.0), QualityMetrics.MeanStd([1.0, 2.0, 3.0]));
        Assert.Equal([0.1, 0.5, 0.9], QualityRunner.Spread(3).Select(v => Math.Round(v, 9)));
    }

    [Fact]
    public void Quick_and_explicit_options_parse_and_bad_values_name_the_option()
    {
        var quick = QualityCommand.ParseOptions(Parse("--quick", "--seeds", "3,4", "--encodings", "channelbits,KEEPRATIO"));
        Assert.True(quick.IsQuick);
        Assert.Equal([3UL, 4UL], quick.Seeds);
        Assert.Equal([GenomeEncodings.ChannelBits, GenomeEncodings.KeepRatio], quick.Encodings);
        Assert.Equal(QualityOptions.Quick.Budget, quick.Budget);

        var full = QualityCommand.ParseOptions(Parse("--budget", "20", "--recovery-steps", "900"));
        Assert.Equal((20, 900, false, false), (full.Budget, full.RecoverySteps, full.IsQuick, full.NsgaOnly));
        Assert.True(QualityCommand.ParseOptions(Parse("--nsga-only", "--encodings", "keepRatio,channelBits")).NsgaOnly);
        Assert.Equal("runs/quality.json", QualityCommand.ParseOptions(Parse("--rescore", "runs/quality.json")).RescoreFrom);
        Assert.Null(full.RescoreFrom);
        Assert.Equal(("nsga2-keepRatio", null, null), (QualityRunner.NsgaArm(GenomeEncodings.KeepRatio, full), full.NsgaMaxDrop, full.NsgaObjectives));

        // An NSGA-II arm variant: constrained, two objectives; its name says so.
        var variant = QualityCommand.ParseOptions(Parse("--nsga-only", "--nsga-max-drop", "10", "--nsga-objectives", "macs,accuracy"));
        Assert.Equal(10, variant.NsgaMaxDrop);
        Assert.Equal([MetricNames.Accuracy, MetricNames.Macs], variant.NsgaObjectives);
        Assert.Equal("nsga2-keepRatio-accuracy+macs-drop10", QualityRunner.NsgaArm(GenomeEncodings.KeepRatio, variant));
        Assert.True(QualityRunner.IsNsgaArm(QualityRunner.NsgaArm(GenomeEncodings.KeepRatio, variant)));
        var spec = new QualityRunner(variant, TextWriter.Null).NsgaSpec(1, GenomeEncodings.KeepRatio);
        Assert.Equal([MetricNames.Accuracy, MetricNames.Macs], spec.Objectives.Select(o => o.Metric));
        Assert.Equal(new ConstraintDefinition(MetricNames.AccuracyDrop, ConstraintOperator.LessOrEqual, 10), Assert.Single(spec.Constraints));
        Assert.Equal(3, new QualityRunner(variant, TextWriter.Null).Spec(1, GenomeEncodings.KeepRatio).Objectives.Count);
        Assert.Contains("--nsga-max-drop must be a number of accuracy points > 0, got 0", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(Parse("--nsga-max-drop", "0"))).Message, StringComparison.Ordinal);
        Assert.Contains("unknown metric 'energy'", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(Parse("--nsga-objectives", "accuracy,energy"))).Message, StringComparison.Ordinal);
        Assert.Contains("must name accuracy and at least one", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(Parse("--nsga-objectives", "macs"))).Message, StringComparison.Ordinal);

        Assert.Contains("--seeds", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(Parse("--seeds", "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("--encodings", Assert.Throws<CliException>(() => QualityCommand.ParseOptions(Parse("--encodings", "bits"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Final_recovery_options_override_the_spec()
    {
        var spec = new ExperimentSpec();
        Assert.Same(spec, FinalRecoveryOptions.Apply(spec, null, null));
        var on = FinalRecoveryOptions.Apply(spec, "900", "4");
        Assert.Equal(new FinalRecoverySettings { FineTuneSteps = 900, MaxMembers = 4 }, on.FinalRecovery);
        Assert.False(FinalRecoveryOptions.Apply(on, "0", null).FinalRecovery!.Enabled);
        Assert.Throws<CliException>(() => FinalRecoveryOptions.Apply(spec, "many", null));
    }

    [Fact]
    public void The_suggested_member_has_the_fewest_macs_on_the_final_front_within_the_tolerance()
    {
        IReadOnlyDictionary<string, double> M(double acc, double macs) => new Dictionary<string, double> { [MetricNames.Accuracy] = acc, [MetricNames.Macs] = macs };
        RecoveredMember Member(string label, double acc, double macs, bool front, bool ok = true) =>
            new() { Label = label, MaskText = label, MaskHash = label, Succeeded = ok, OnFinalFront = front, Metrics = M(acc, macs) };
        var result = new FinalRecoveryResult
        {
            Unpruned = Member("unpruned", 0.92, 800, true),
            Members = [Member("#2", 0.915, 100, true), Member("#1", 0.905, 50, true), Member("#3", 0.912, 80, false), Member("#4", 0.99, 10, true, ok: false)],
        };
        Assert.Equal(1.5, result.DropPoints(result.Members[1]), 9);
        Assert.Equal("#2", result.Suggested()!.Label);          // #3 left the final front, #1 is 1.5 points down, #4 failed
        Assert.Equal("#1", result.Suggested(2.0)!.Label);
        Assert.Equal("#2", result.Suggested(0.1)!.Label);       // none within: the most accurate
        Assert.Null((result with { Members = [Member("#4", 0.99, 10, true, ok: false)] }).Suggested());
    }

    [Fact]
    public void The_final_table_reports_drops_against_the_recovered_unpruned_model()
    {
        IReadOnlyDictionary<string, double> M(double acc, double macs, double ms) => new Dictionary<string, double> { [MetricNames.Accuracy] = acc, [MetricNames.Macs] = macs, [MetricNames.LatencyMs] = ms };
        var result = new FinalRecoveryResult
        {
            Unpruned = new RecoveredMember { Label = "unpruned", MaskText = "a", MaskHash = "aaaaaaaaaaaaaaaa", Succeeded = true, Metrics = M(0.92, 800, 40) },
            Members = [new RecoveredMember { Label = "#1", MaskText = "b", MaskHash = "bbbbbbbbbbbbbbbb", Succeeded = true, OnFinalFront = true, Metrics = M(0.915, 100, 8) }],
            FineTuneSteps = 600,
            NoiseSamplesMs = [10, 10.5],
            NoiseCv = 0.0345,
        };
        var table = FinalRecoveryReport.Table(result);
        Assert.Contains("0.50", table, StringComparison.Ordinal);
        Assert.Contains("8.00", table, StringComparison.Ordinal);
        Assert.Contains("5.00", table, StringComparison.Ordinal);
        Assert.Contains("CV 3.5 %", table, StringComparison.Ordinal);
        var csv = FinalRecoveryReport.Csv(result).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("#1,bbbbbbbbbbbbbbbb,True,True,", csv[2], StringComparison.Ordinal);

        // The header says when members continued from their search weights (a ladder's warm start).
        var directory = Directory.CreateTempSubdirectory("final-header").FullName;
        try
        {
            var plain = new StringWriter();
            FinalRecoveryReport.WriteAndPrint(directory, result, plain);
            Assert.Contains("after final recovery (600 steps, test set; drops against", plain.ToString(), StringComparison.Ordinal);
            var warm = new StringWriter();
            var continued = result with { Members = [result.Members[0] with { Metrics = new Dictionary<string, double>(result.Members[0].Metrics) { [MetricNames.WarmStartSteps] = 300 } }] };
            FinalRecoveryReport.WriteAndPrint(directory, continued, warm);
            Assert.Contains("after final recovery (600 steps, test set; members continue from their search weights, the unpruned model from the baseline; drops against", warm.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
