using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;
using Xunit.Abstractions;
using T = PrunerCluster.Grains.Telemetry.PrunerClusterTelemetry;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The client's spans on a real in-process silo: 'submit' through the CLI's own code path starts the client span, Orleans
/// carries its context, and the experiment span descends from it; other cluster commands get spans of their own; the
/// process's exporter (here --trace-console) sees the same span.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClientTelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_experiment_span_descends_from_the_clients_submit_span()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(TelemetryNames.ClientActivitySourceName, T.ActivitySourceName)
            .AddSource([.. T.OrleansActivitySources])
            .AddInMemoryExporter(spans)
            .Build();
        await using var cluster = await EmbeddedCluster.StartAsync(1, verbose: false, new Dictionary<string, string?> { ["PrunerCluster:Cluster:EnableSyntheticBackend"] = "true" }, CancellationToken.None);
        var gateway = cluster.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var temp = new TempDirectory();
        var spec = temp.File("spec.json", SpecFile.Serialize(SiloOperationsTests.Spec("client-trace", durationMs: 20, budget: 4)));

        var submit = await RunAsync("submit", spec, "--gateway", gateway, "--json", "--trace-console");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("experimentId").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var status = await cluster.Grains.WaitForExperimentAsync(id, TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token);
        Assert.Equal(ExperimentState.Completed, status.State);

        var statusCommand = await RunAsync("status", id, "--gateway", gateway);
        Assert.True(statusCommand.ExitCode == 0, statusCommand.Stderr);
        tracer.ForceFlush();

        var clientSpan = Assert.Single(spans, s => s.OperationName == T.ActivitySubmit && (string?)s.GetTagItem(T.AttributeExperiment) == id);
        Assert.Equal(TelemetryNames.ClientActivitySourceName, clientSpan.Source.Name);
        Assert.Equal(ActivityKind.Client, clientSpan.Kind);
        Assert.Equal(default, clientSpan.ParentSpanId);
        Assert.Equal("submit", clientSpan.GetTagItem(TelemetryNames.AttributeCommand));

        var trace = spans.Where(s => s.TraceId == clientSpan.TraceId).ToDictionary(s => s.SpanId);
        var experimentSpan = Assert.Single(trace.Values, s => s.OperationName == T.ActivityExperiment);
        Assert.Equal(id, experimentSpan.GetTagItem(T.AttributeExperiment));
        var chain = Ancestors(experimentSpan, trace).ToList();
        output.WriteLine(string.Join(" <- ", chain.Select(s => $"{s.OperationName} ({s.Source.Name})").Prepend(experimentSpan.OperationName)));
        Assert.Equal(clientSpan.SpanId, chain[^1].SpanId);
        Assert.Contains(chain, s => s.Source.Name == TelemetryNames.OrleansApplicationActivitySource);
        Assert.Contains(trace.Values, s => s.OperationName == T.ActivityEvaluation);

        // The process's own exporter, asked for with --trace-console, printed the same submit span to stderr (not stdout).
        Assert.Contains($"span {T.ActivitySubmit} trace={clientSpan.TraceId} span={clientSpan.SpanId} parent=-", submit.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("span ", submit.Stdout, StringComparison.Ordinal);

        // Any other cluster command has a span of its own, with the experiment id, parenting its grain calls.
        var statusSpan = Assert.Single(spans, s => s.OperationName == TelemetryNames.ActivityClientCommandPrefix + "status" && (string?)s.GetTagItem(T.AttributeExperiment) == id);
        Assert.Contains(spans, s => s.ParentSpanId == statusSpan.SpanId && s.Source.Name == TelemetryNames.OrleansApplicationActivitySource);
    }

    [Fact]
    public async Task A_failing_cluster_command_marks_its_span_as_an_error_and_a_local_command_has_none()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(TelemetryNames.ClientActivitySourceName).AddInMemoryExporter(spans).Build();
        var marker = "no-such-" + Guid.NewGuid().ToString("N");
        var failed = await RunAsync("status", marker, "--gateway", "1", "--connect-timeout", "1");
        Assert.Equal(ExitCodes.Unavailable, failed.ExitCode);
        var schema = await RunAsync("schema");
        Assert.Equal(0, schema.ExitCode);
        tracer.ForceFlush();

        var span = Assert.Single(spans, s => (string?)s.GetTagItem(T.AttributeExperiment) == marker);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.DoesNotContain(spans, s => (string?)s.GetTagItem(TelemetryNames.AttributeCommand) == "schema");
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, IsTerminal: false);
        var code = await CliApp.InvokeAsync(CliCommands.CreateRoot(console), args, console, CancellationToken.None, exportTelemetry: true);
        output.WriteLine($"$ prunercluster {string.Join(' ', args)} -> {code}\n{stderr}");
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static IEnumerable<Activity> Ancestors(Activity span, Dictionary<ActivitySpanId, Activity> bySpan)
    {
        for (var current = span; current.ParentSpanId != default && bySpan.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            yield return parent;
        }
    }
}
