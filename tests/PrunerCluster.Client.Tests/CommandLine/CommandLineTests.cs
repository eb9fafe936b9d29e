using PrunerCluster.Testing;
using System.Text.Json;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests.CommandLine;

[Trait("Category", "Unit")]
public sealed class CommandLineTests
{
    [Fact]
    public async Task Root_help_lists_every_verb_and_the_exit_codes()
    {
        var (code, stdout, stderr) = await ClientCli.RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        foreach (var verb in new[] { "submit", "status", "watch", "list", "pareto", "cancel", "pause", "resume", "plot", "report", "validate" })
        {
            Assert.Matches($@"(?m)^\s+{verb}\b", stdout);
        }

        Assert.Contains(ExitCodes.HelpText, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_without_the_id_works_while_something_listens_to_the_clients_spans()
    {
        // With a listener the command's span starts; it must not read the id that a help request leaves out.
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == PrunerCluster.Contracts.TelemetryNames.ClientActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        var watch = await ClientCli.RunAsync("watch", "-h");

        Assert.Equal(0, watch.ExitCode);
        Assert.Contains("Ctrl+C detaches", watch.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_command_has_its_own_help_with_its_options()
    {
        var (code, stdout, _) = await ClientCli.RunAsync("pareto", "--help");
        Assert.Equal(0, code);
        Assert.Contains("pareto <experiment> [options]", stdout, StringComparison.Ordinal);
        foreach (var option in new[] { "--json", "--csv", "--gateway", "--cluster-id", "--service-id", "--connect-timeout", "--verbose" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }

        var watch = await ClientCli.RunAsync("watch", "-h");
        Assert.Contains("Ctrl+C detaches: the experiment keeps running on the cluster", watch.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "status" }, "prunercluster status", "Required argument 'id' missing")]
    [InlineData(new[] { "pareto", "x", "--jsonn" }, "prunercluster pareto", "--jsonn")]
    [InlineData(new[] { "pareto", "x", "--json", "--csv" }, "prunercluster pareto", "--json and --csv cannot be used together")]
    [InlineData(new[] { "frobnicate" }, "prunercluster", "frobnicate")]
    [InlineData(new[] { "status", "x", "--connect-timeout", "0" }, "prunercluster status", "--connect-timeout must be a positive number")]
    [InlineData(new[] { "plot", "x", "--format", "gif" }, "prunercluster plot", "gif")]
    public async Task Bad_command_lines_exit_2_with_the_problem_on_stderr_before_connecting(string[] args, string command, string expected)
    {
        var (code, stdout, stderr) = await ClientCli.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Contains($"error: {command}: ", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains($"run '{command} --help' for usage", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30000,abc", "'abc' in '30000,abc'")]
    [InlineData("silo-1:", "'silo-1:'")]
    [InlineData(":30000", "':30000'")]
    [InlineData("silo-1:http", "'silo-1:http'")]
    [InlineData("silo-1:70000", "'silo-1:70000'")]
    [InlineData("::1:30000", "'::1:30000'")]
    [InlineData("[::1:30000", "'[::1:30000'")]
    [InlineData("a b:30000", "'a b:30000'")]
    public async Task A_bad_gateway_names_the_option_the_value_and_what_is_expected(string value, string named)
    {
        var (code, stdout, stderr) = await ClientCli.RunAsync("status", "exp-1", "--gateway", value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: option --gateway expects {GatewayAddresses.Expected}, got {named}" + Environment.NewLine, stderr);
    }

    [Fact]
    public void Gateways_are_ports_on_this_machine_or_host_and_port()
    {
        Assert.Equal(
            new GatewayAddresses.Gateway[] { new(null, 30000), new("silo-1", 30001), new("10.0.0.7", 30002), new("::1", 30003) },
            GatewayAddresses.Parse(" 30000, silo-1:30001,10.0.0.7:30002 ,[::1]:30003"));
    }

    [Fact]
    public async Task Validate_reports_every_problem_with_field_value_and_expectation_at_once()
    {
        using var temp = new TempDirectory();
        var path = temp.File("bad.json", """
            {
              "name": "bad", "backend": "synthetic", "model": "vgg", "dataset": "synthetic",
              "objectives": [ { "metric": "acuracy", "direction": "maximize" }, { "metric": "macs", "direction": "minimize" } ],
              "search": { "populationSize": 1, "crossoverProbability": 1.5 },
              "budget": { "maxEvaluations": 0 }
            }
            """);
        var (code, stdout, stderr) = await ClientCli.RunAsync("validate", path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Contains($"spec '{path}' has 4 problem(s):", stderr, StringComparison.Ordinal);
        Assert.Contains("objectives[0].metric (line 3): unknown metric 'acuracy'", stderr, StringComparison.Ordinal);
        Assert.Contains("search.populationSize (line 4): must be at least 2, got 1", stderr, StringComparison.Ordinal);
        Assert.Contains("search.crossoverProbability (line 4): must be in [0, 1], got 1.5", stderr, StringComparison.Ordinal);
        Assert.Contains("budget.maxEvaluations (line 5): must be at least 1, got 0", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_accepts_the_shipped_examples()
    {
        foreach (var example in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples")))
        {
            var (code, stdout, stderr) = await ClientCli.RunAsync("validate", example);
            Assert.True(code == 0, $"{example}: {stderr}");
            Assert.Contains("valid", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_spec_file_is_one_line_naming_the_file()
    {
        var (code, _, stderr) = await ClientCli.RunAsync("validate", "/no/such/spec.json");
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("'/no/such/spec.json' does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pareto_of_a_run_directory_writes_stable_json_and_csv_to_stdout()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto();
        RunDirectory.Write(temp.Path, SpecFile.Load(TestPaths.ExampleSpec), new ExperimentStatus { ExperimentId = pareto.ExperimentId, State = ExperimentState.Completed }, pareto, Samples.Ledger(pareto));

        var json = await ClientCli.RunAsync("pareto", temp.Path, "--json");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["experimentId", "objectives", "entries", "evaluated", "hypervolume", "baselineMetrics"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["candidateId", "maskText", "maskHash", "individualKey", "metrics", "generation", "energySource", "silo"], doc.RootElement.GetProperty("entries")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("maximize", doc.RootElement.GetProperty("objectives")[0].GetProperty("direction").GetString());
        Assert.Equal(pareto.Entries.Count, doc.RootElement.GetProperty("entries").GetArrayLength());

        var csv = await ClientCli.RunAsync("pareto", Path.Combine(temp.Path, RunDirectory.ParetoJsonFileName), "--csv");
        Assert.Equal(0, csv.ExitCode);
        Assert.Equal(ParetoReport.Csv(pareto), csv.Stdout);

        var table = await ClientCli.RunAsync("pareto", temp.Path);
        Assert.Equal(ParetoReport.Table(pareto), table.Stdout);
    }

    [Fact]
    public async Task A_path_that_is_not_a_run_directory_is_reported_without_contacting_a_cluster()
    {
        using var temp = new TempDirectory();
        var (code, _, stderr) = await ClientCli.RunAsync("report", temp.Path + "/");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is not a run directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unexpected_exceptions_are_one_line_and_verbose_adds_the_stack()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, RunDirectory.ParetoJsonFileName), "{ \"experimentId\": 5 }");
        var (code, _, stderr) = await ClientCli.RunAsync("pareto", temp.Path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: prunercluster pareto: ", stderr, StringComparison.Ordinal);

        var verbose = await ClientCli.RunAsync("pareto", temp.Path, "-v");
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_failures_map_to_exit_3_with_what_to_do()
    {
        var (message, code) = CliErrors.Describe(new Orleans.Runtime.SiloUnavailableException("silo S1 is gone"), "prunercluster status");
        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.StartsWith("prunercluster status: the cluster stopped answering (SiloUnavailableException: silo S1 is gone)", message, StringComparison.Ordinal);
        Assert.Contains("check that the cluster's silos are running", message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unavailable, CliErrors.Describe(new TimeoutException("Response did not arrive on time"), "x").ExitCode);
        Assert.Equal(ExitCodes.Interrupted, CliErrors.Describe(new OperationCanceledException(), "x").ExitCode);
        Assert.Equal(ExitCodes.Failed, CliErrors.Describe(new InvalidOperationException("bug\nsecond line"), "x").ExitCode);
        Assert.DoesNotContain('\n', CliErrors.Describe(new InvalidOperationException("bug\nsecond line"), "x").Message);
    }
}
