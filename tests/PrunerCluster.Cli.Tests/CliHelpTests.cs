using PrunerCluster.Testing;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Cli.Tests;

[Trait("Category", "Slow")]
public sealed class CliHelpTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => CliProcess.InProcessAsync(args);

    [Fact]
    public async Task The_full_cli_adds_the_model_verbs_to_the_client_verbs()
    {
        var (code, stdout, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var verb in new[] { "train", "sensitivity", "search", "baseline", "export", "verify", "submit", "status", "watch", "pareto", "plot", "report", "validate", "schema" })
        {
            Assert.Matches($@"(?m)^\s+{verb}\b", stdout);
        }
    }

    [Fact]
    public async Task Help_says_what_ctrl_c_does_in_each_mode()
    {
        Assert.Contains("Ctrl+C cancels the search (embedded mode)", (await RunAsync("search", "--help")).Stdout, StringComparison.Ordinal);
        Assert.Contains("Ctrl+C detaches: the experiment keeps running on the cluster", (await RunAsync("watch", "--help")).Stdout, StringComparison.Ordinal);
        Assert.Contains("Ctrl+C detaches", (await RunAsync("submit", "--help")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_rejects_a_bad_pick_rule_before_loading_anything()
    {
        var (code, stdout, stderr) = await RunAsync("export", "/no/such/run", "--pick", "smallest bananas");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Contains("'bananas' is not a metric", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_and_train_report_an_invalid_spec_with_every_problem_and_exit_2()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("bad.json", """{ "name": "x", "backend": "torchsharp", "model": "vgg", "dataset": "fashion-mnist", "search": { "populationSize": 1 }, "budget": { "maxEvaluations": 0 } }""");
        foreach (var verb in new[] { "search", "train" })
        {
            var (code, _, stderr) = await RunAsync(verb, spec);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("search.populationSize (line 1): must be at least 2, got 1", stderr, StringComparison.Ordinal);
            Assert.Contains("budget.maxEvaluations (line 1): must be at least 1, got 0", stderr, StringComparison.Ordinal);
        }
    }
}
