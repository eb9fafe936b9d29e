using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Live;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

/// <summary>
/// The client's metrics: each instrument records under its name in <see cref="TelemetryNames"/> (seen by an in-process
/// <see cref="MeterListener"/>), and they reach an OTLP collector only when OTEL_EXPORTER_OTLP_ENDPOINT is set. One
/// collection with the outage tests: the listener is process-wide, and they count retries too.
/// </summary>
[Trait("Category", "Unit")]
[Collection(ClientMetricsCollection.Name)]
public sealed class ClientMetricsTests
{
    [Fact]
    public async Task A_cluster_command_counts_with_its_name_and_outcome_and_records_its_duration()
    {
        using var recorded = new RecordedMeasurements();
        var run = await ClientCli.RunAsync("status", "--help");
        Assert.Equal(0, run.ExitCode);

        var command = Assert.Single(recorded.Of(TelemetryNames.ClientCommands), m => Equals(m.Tags.GetValueOrDefault(TelemetryNames.AttributeCommand), "status"));
        Assert.Equal(1.0, command.Value);
        Assert.Equal("ok", command.Tags[TelemetryNames.AttributeOutcome]);
        var duration = Assert.Single(recorded.Of(TelemetryNames.ClientCommandDuration), m => Equals(m.Tags.GetValueOrDefault(TelemetryNames.AttributeCommand), "status"));
        Assert.True(duration.Value >= 0);

        await ClientCli.RunAsync("validate", "--help");
        Assert.DoesNotContain(recorded.Of(TelemetryNames.ClientCommands), m => Equals(m.Tags.GetValueOrDefault(TelemetryNames.AttributeCommand), "validate"));
    }

    [Fact]
    public async Task An_outage_counts_each_retry_and_one_recovery()
    {
        using var recorded = new RecordedMeasurements();
        var outage = new ClusterOutage(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1), TimeProvider.System);
        var calls = 0;
        await outage.RunAsync(() => ++calls < 4 ? throw new TimeoutException("no answer") : Task.FromResult(1), CancellationToken.None);
        await outage.RunAsync(() => Task.FromResult(2), CancellationToken.None);

        Assert.Equal(3, recorded.Of(TelemetryNames.ClientOutageRetries).Sum(m => m.Value));
        Assert.Equal(1, recorded.Of(TelemetryNames.ClientOutageRecoveries).Sum(m => m.Value));
    }

    [Fact]
    public void Polls_and_the_time_to_result_record_under_their_names()
    {
        using var recorded = new RecordedMeasurements();
        ClientMetrics.Polled();
        ClientMetrics.ResultReached(ExperimentState.Completed, TimeSpan.FromSeconds(12.5));

        Assert.Equal(1, recorded.Of(TelemetryNames.ClientWatchPolls).Sum(m => m.Value));
        var result = Assert.Single(recorded.Of(TelemetryNames.ClientTimeToResult));
        Assert.Equal(12.5, result.Value);
        Assert.Equal("completed", result.Tags[TelemetryNames.AttributeState]);
    }

    [Fact]
    public void Without_the_endpoint_no_meter_provider_is_built()
    {
        Assert.Null(ClientTelemetry.CreateMeterProvider(_ => null));
        Assert.Null(ClientTelemetry.CreateMeterProvider(_ => " "));
        Assert.Throws<PrunerCluster.Client.CommandLine.CliException>(() => ClientTelemetry.CreateMeterProvider(name => name == TelemetryNames.OtlpEndpointVariable ? "collector:4317" : null));
    }

    [Fact]
    public async Task With_the_endpoint_set_metrics_reach_an_otlp_http_collector()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = Task.Run(async () =>
        {
            var context = await collector.GetContextAsync();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            return (context.Request.Url!.AbsolutePath, Body: body.ToArray());
        });

        var environment = new Dictionary<string, string>
        {
            [TelemetryNames.OtlpEndpointVariable] = $"http://127.0.0.1:{port}",
            [ClientTelemetry.ProtocolVariable] = "http/protobuf",
        };
        using (var provider = ClientTelemetry.CreateMeterProvider(name => environment.GetValueOrDefault(name)))
        {
            Assert.NotNull(provider);
            ClientMetrics.CommandFinished("watch", ok: true, TimeSpan.FromSeconds(3));
            ClientMetrics.Polled();
        }

        var request = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/metrics", request.AbsolutePath);
        var text = Encoding.UTF8.GetString(request.Body);
        Assert.Contains(TelemetryNames.ClientCommands, text, StringComparison.Ordinal);
        Assert.Contains(TelemetryNames.ClientCommandDuration, text, StringComparison.Ordinal);
        Assert.Contains(TelemetryNames.ClientWatchPolls, text, StringComparison.Ordinal);
        Assert.Contains(TelemetryNames.ClientMeterName, text, StringComparison.Ordinal);
        Assert.Contains(TelemetryNames.ClientServiceName, text, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
