using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Engine.Hosting;

/// <summary>Where a process sends PrunerCluster's and Orleans' traces and metrics.</summary>
public sealed record TelemetryExport(bool Prometheus, bool Console)
{
    public static TelemetryExport None { get; } = new(false, false);
}

public static class TelemetryHostingExtensions
{
    /// <summary>
    /// OpenTelemetry for a silo or client: PrunerCluster's and Orleans' meters and activity sources, exported over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_* variables configure the exporter), to the Prometheus scrape
    /// endpoint and the console on request. Returns whether any exporter is on.
    /// </summary>
    public static bool AddPrunerClusterTelemetry(this IHostApplicationBuilder builder, string serviceName, TelemetryExport export)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(export);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[KubernetesEnvironment.OtlpEndpoint] ?? Environment.GetEnvironmentVariable(KubernetesEnvironment.OtlpEndpoint));
        if (!otlp && !export.Prometheus && !export.Console)
        {
            return false;
        }

        PrunerClusterTelemetry.EnsureCreated();
        var instance = Environment.GetEnvironmentVariable(KubernetesEnvironment.PodName) ?? Environment.MachineName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                Environment.GetEnvironmentVariable(KubernetesEnvironment.OtelServiceName) ?? serviceName,
                serviceInstanceId: instance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PrunerClusterTelemetry.MeterName, PrunerClusterTelemetry.OrleansMeterName);
                if (export.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (export.Console)
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(PrunerClusterTelemetry.ActivitySourceName);
                tracing.AddSource([.. PrunerClusterTelemetry.OrleansActivitySources]);
                if (export.Console)
                {
                    tracing.AddConsoleExporter();
                }
            });
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return true;
    }
}
