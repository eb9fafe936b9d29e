using System.Text.Json;
using PrunerCluster.Engine.Recovery;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// <c>export</c> of a run whose final recovery retrained members: the picked member's recovered model is exported (TorchSharp
/// and ONNX), <c>--search-weights</c> takes the search's weights instead. Real embedded search on a tiny LeNet.
/// </summary>
[Trait("Category", "Slow")]
public sealed class FinalRecoveryExportTests
{
    // No distillation: its teacher logits cover the whole Fashion-MNIST training split (each search's first evaluation waits
    // for them), and this test is about what the run writes, not how fine-tuning learns (#28).
    private static string Spec(TempDirectory temp) => temp.File("tiny-final.json", $$"""
        {
          "name": "tiny-final-export",
          "backend": "torchsharp",
          "model": "lenet5",
          "dataset": "fashion-mnist",
          "baseline": { "epochs": 1, "seed": 1, "maxTrainSamples": 1024, "maxTestSamples": 500, "cacheDirectory": "{{temp.Path}}" },
          "objectives": [
            { "metric": "accuracy", "direction": "maximize" },
            { "metric": "macs", "direction": "minimize" }
          ],
          "search": { "populationSize": 4, "mode": "steadyState", "seed": 3 },
          "budget": { "maxEvaluations": 5 },
          "evaluation": { "fineTuneSteps": 3, "validationSamples": 100, "latencyRuns": 3, "latencyMaxRuns": 3, "latencyMaxSeconds": 1, "threads": 1, "distillationWeight": 0 },
          "finalRecovery": { "fineTuneSteps": 4, "maxMembers": 1 }
        }
        """);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => CliProcess.InProcessAsync(args);

    [Fact]
    public async Task Export_prefers_the_final_recovered_model_and_search_weights_opts_out()
    {
        using var temp = new TempDirectory();
        var runs = Path.Combine(temp.Path, "runs");
        var (code, stdout, stderr) = await RunAsync("search", Spec(temp), "--plain", "--out", runs, "--noise-samples", "0");
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        var run = Assert.Single(Directory.GetDirectories(runs));

        var final = FinalRecoveryReport.Read(run);
        Assert.NotNull(final);
        var recovered = Assert.Single(final.Members, m => m.Succeeded);
        var ordered = ParetoReport.Ordered(RunDirectory.ReadPareto(Path.Combine(run, RunDirectory.ParetoJsonFileName)));
        var rank = ordered.Select((e, i) => (e, i)).Single(p => p.e.MaskHash == recovered.MaskHash).i + 1;

        // The final table labels a member with its rank in the Pareto table, the number --pick takes, and the run's last
        // line names it.
        Assert.Equal($"#{rank}", recovered.Label);
        Assert.Contains($"--pick {rank} ", stdout, StringComparison.Ordinal);
        var found = RecoveredModels.Find(run, recovered.MaskHash);
        Assert.NotNull(found);
        var recoveredCard = ModelCard.FromJson(File.ReadAllText(Path.Combine(found.Value.Directory, ModelExporter.CardFileName)));

        var torchOut = Path.Combine(temp.Path, "export-final");
        (code, stdout, stderr) = await RunAsync("export", run, "--pick", rank.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", torchOut);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("the model final recovery retrained", stdout, StringComparison.Ordinal);
        var card = ModelCard.FromJson(File.ReadAllText(Path.Combine(torchOut, ModelExporter.CardFileName)));
        Assert.Equal(recoveredCard.WeightsSha256, card.WeightsSha256);
        Assert.Contains(card.Notes, n => n.StartsWith("final recovery:", StringComparison.Ordinal));
        Assert.InRange(card.Metrics["test_accuracy"], 0.05, 1.0);
        using (var member = JsonDocument.Parse(File.ReadAllText(Path.Combine(torchOut, HtmlReport.MemberFileName))))
        {
            Assert.Equal(recovered.MaskHash, member.RootElement.GetProperty("maskHash").GetString());
            Assert.True(member.RootElement.GetProperty("finalRecovery").GetBoolean());
        }

        (code, stdout, stderr) = await RunAsync("verify", torchOut);
        Assert.True(code == ExitCodes.Ok, $"verify exit {code}: {stderr}\n{stdout}");
        Assert.Contains(recovered.MaskHash[..12], stdout, StringComparison.Ordinal);

        var onnxOut = Path.Combine(temp.Path, "export-final-onnx");
        (code, stdout, stderr) = await RunAsync("export", run, "--pick", rank.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "onnx", "--out", onnxOut);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("ONNX Runtime:", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(onnxOut, "model.onnx")));

        var searchOut = Path.Combine(temp.Path, "export-search");
        (code, stdout, stderr) = await RunAsync("export", run, "--pick", rank.ToString(System.Globalization.CultureInfo.InvariantCulture), "--search-weights", "--out", searchOut);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.DoesNotContain("final recovery retrained", stdout, StringComparison.Ordinal);
        var searchCard = ModelCard.FromJson(File.ReadAllText(Path.Combine(searchOut, ModelExporter.CardFileName)));
        Assert.NotEqual(recoveredCard.WeightsSha256, searchCard.WeightsSha256);
    }

    [Fact]
    public async Task Recover_gives_a_run_searched_without_final_recovery_its_recovered_models()
    {
        using var temp = new TempDirectory();
        var runs = Path.Combine(temp.Path, "runs");
        var (code, stdout, stderr) = await RunAsync("search", Spec(temp), "--plain", "--out", runs, "--noise-samples", "0", "--final-recovery", "0");
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        var run = Assert.Single(Directory.GetDirectories(runs));
        Assert.Null(FinalRecoveryReport.Read(run));

        (code, stdout, stderr) = await RunAsync("recover", run, "--final-recovery", "3", "--final-members", "2");
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("after final recovery (3 steps, test set", stdout, StringComparison.Ordinal);
        var final = FinalRecoveryReport.Read(run);
        Assert.NotNull(final);
        Assert.Equal(3, final.FineTuneSteps);
        Assert.InRange(final.Members.Count, 1, 2);
        Assert.All(final.Members, m => Assert.NotNull(RecoveredModels.Find(run, m.MaskHash)));
        var ordered = ParetoReport.Ordered(RunDirectory.ReadPareto(Path.Combine(run, RunDirectory.ParetoJsonFileName))).Select(e => e.MaskHash).ToList();
        var ranks = final.Members.Select(m => ordered.IndexOf(m.MaskHash) + 1).ToList();
        Assert.Equal(ranks.Select(r => $"#{r}"), final.Members.Select(m => m.Label));
        Assert.Equal(ranks.Order(), ranks);
        Assert.Contains($"--pick {final.Suggested()!.Label.TrimStart('#')} (the number in the table above)", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await RunAsync("recover", run, "--final-recovery", "0");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--final-recovery 0 leaves nothing to do", stderr + stdout, StringComparison.Ordinal);
    }
}
