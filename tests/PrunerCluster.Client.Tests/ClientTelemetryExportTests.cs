using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

/// <summary>The client's exporters: OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (checked against a local HTTP collector), span lines on request.</summary>
[Trait("Category", "Unit")]
public sealed class ClientTelemetryExportTests
{
    [Fact]
    public void Without_the_endpoint_or_a_console_request_nothing_is_exported()
    {
        Assert.Null(ClientTelemetry.CreateProvider(_ => null, null));
        Assert.Null(ClientTelemetry.CreateProvider(_ => " ", null));
    }

    [Fact]
    public async Task With_the_endpoint_set_spans_reach_an_otlp_http_collector()
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
            return (context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, Body: body.ToArray());
        });

        var marker = "otlp-" + Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>
        {
            [TelemetryNames.OtlpEndpointVariable] = $"http://127.0.0.1:{port}",
            [ClientTelemetry.ProtocolVariable] = "http/protobuf",
        };
        using (var provider = ClientTelemetry.CreateProvider(name => environment.GetValueOrDefault(name), null))
        {
            Assert.NotNull(provider);
            using var span = ClientTelemetry.Source.StartActivity(ClientTelemetry.SpanName("submit"), ActivityKind.Client);
            Assert.NotNull(span);
            span.SetTag(TelemetryNames.AttributeExperiment, marker);
        }

        var request = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("POST", request.HttpMethod);
        Assert.Equal("/v1/traces", request.AbsolutePath);
        Assert.Equal("application/x-protobuf", request.ContentType);
        var text = Encoding.UTF8.GetString(request.Body);
        Assert.Contains(TelemetryNames.ActivitySubmit, text, StringComparison.Ordinal);
        Assert.Contains(marker, text, StringComparison.Ordinal);
        Assert.Contains(TelemetryNames.ClientServiceName, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_console_request_prints_one_line_per_span_and_a_bad_endpoint_is_one_clear_error()
    {
        using var lines = new StringWriter();
        using (var provider = ClientTelemetry.CreateProvider(_ => null, lines))
        {
            using var span = ClientTelemetry.Source.StartActivity(ClientTelemetry.SpanName("status"), ActivityKind.Client);
            span?.SetTag(TelemetryNames.AttributeCommand, "status");
        }

        Assert.Matches(@"(?m)^span prunercluster\.client\.status trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=- source=PrunerCluster\.Client .*prunercluster\.command=status", lines.ToString());

        var error = Assert.Throws<CliException>(() => ClientTelemetry.CreateProvider(name => name == TelemetryNames.OtlpEndpointVariable ? "collector:4317" : null, null));
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("'collector:4317'", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
