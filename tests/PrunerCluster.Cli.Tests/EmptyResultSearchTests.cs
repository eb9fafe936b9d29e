using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary>An embedded search in which every evaluation fails says why nothing was found and suggests no export.</summary>
[Trait("Category", "Slow")]
public sealed class EmptyResultSearchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_search_where_every_evaluation_fails_says_so_and_never_suggests_export_pick()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("all-fail.json", """
            {
              "name": "all-fail",
              "backend": "synthetic",
              "model": "vgg",
              "dataset": "synthetic",
              "search": { "populationSize": 4, "seed": 3 },
              "budget": { "maxEvaluations": 6 },
              "synthetic": { "duration": "00:00:00.020", "segmentBits": [8, 8, 16], "failBelowKeptFraction": 2, "salt": "all-fail" }
            }
            """);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var (code, stdout, stderr) = await CliProcess.RunAsync(
            ["search", spec, "--plain", "--out", Path.Combine(temp.Path, "runs"), "--noise-samples", "0"],
            new Dictionary<string, string> { ["PrunerCluster__Cluster__EnableSyntheticBackend"] = "true", ["DOTNET_gcServer"] = "0" },
            timeout.Token);
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.DoesNotContain("--pick", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("export a model", stdout, StringComparison.Ordinal);
        Assert.Matches(@"nothing was found: all \d+ evaluation\(s\) failed; the most common reason \(\d+ of \d+\): synthetic failure: kept fraction", stdout);
        Assert.Contains("Pareto set of 0", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        Assert.True(code is 0 or 1, $"exit {code}");
    }
}
