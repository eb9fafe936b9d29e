using System.Text.Json;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>Embedded <c>search</c> on a real tiny model re-times every Pareto member before writing the run and keeps only the recomputed front.</summary>
[Trait("Category", "Slow")]
public sealed class SearchRemeasureTests
{
    // No distillation: its teacher logits cover the whole Fashion-MNIST training split (each search's first evaluation waits
    // for them), and this test is about what the run writes, not how fine-tuning learns (#28).
    private static string Spec(TempDirectory temp) => temp.File("tiny.json", $$"""
        {
          "name": "tiny-remeasure",
          "backend": "torchsharp",
          "model": "lenet5",
          "dataset": "fashion-mnist",
          "baseline": { "epochs": 1, "seed": 1, "maxTrainSamples": 1024, "cacheDirectory": "{{temp.Path}}" },
          "objectives": [
            { "metric": "accuracy", "direction": "maximize" },
            { "metric": "macs", "direction": "minimize" },
            { "metric": "latency_ms", "direction": "minimize" }
          ],
          "search": { "populationSize": 4, "mode": "steadyState", "seed": 5 },
          "budget": { "maxEvaluations": 6 },
          "evaluation": { "fineTuneSteps": 3, "validationSamples": 100, "latencyRuns": 3, "latencyMaxRuns": 3, "latencyMaxSeconds": 1, "threads": 1, "distillationWeight": 0 }
        }
        """);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => CliProcess.InProcessAsync(args);

    [Fact]
    public async Task Search_retimes_every_pareto_member_and_writes_the_recomputed_front()
    {
        using var temp = new TempDirectory();
        var runs = Path.Combine(temp.Path, "runs");

        var (code, stdout, stderr) = await RunAsync("search", Spec(temp), "--plain", "--out", runs, "--noise-samples", "0");

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.Matches(@"re-measuring the latency of \d+ Pareto member\(s\), each alone on the device", stdout);
        Assert.Contains("re-timed", stdout, StringComparison.Ordinal);
        var run = Assert.Single(Directory.GetDirectories(runs));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RemeasurementReport.JsonFileName)));
        var members = report.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.NotEmpty(members);
        Assert.All(members, m =>
        {
            Assert.True(m.GetProperty("retimed").GetBoolean());
            Assert.True(m.GetProperty("retimedLatencyMs").GetDouble() > 0);
            Assert.True(m.GetProperty("searchLatencyMs").GetDouble() > 0);
            Assert.Equal(m.GetProperty("stays").GetBoolean(), m.GetProperty("leftReason").ValueKind == JsonValueKind.Null);
        });

        // The run directory's Pareto set is the recomputed one: exactly the members that stayed, with their re-timed latency.
        var pareto = RunDirectory.ReadPareto(Path.Combine(run, RunDirectory.ParetoJsonFileName));
        var stayed = members.Where(m => m.GetProperty("stays").GetBoolean()).ToList();
        Assert.Equal(stayed.Select(m => m.GetProperty("maskHash").GetString()), pareto.Entries.Select(e => e.MaskHash));
        Assert.Equal(stayed.Select(m => m.GetProperty("retimedLatencyMs").GetDouble()), pareto.Entries.Select(e => e.Metrics[MetricNames.LatencyMs]));
    }

    [Fact]
    public async Task A_bad_baseline_epoch_count_is_one_clear_error_and_exit_2()
    {
        using var temp = new TempDirectory();
        foreach (var verb in new[] { "search", "train" })
        {
            var (code, stdout, stderr) = await RunAsync(verb, Spec(temp), "--baseline-epochs", "0");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--baseline-epochs expects a whole number of epochs from 1 to 200, got '0'", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("training", stdout, StringComparison.Ordinal);
        }
    }
}
