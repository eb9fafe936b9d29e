using System.Net;
using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// The silo's HTTP endpoint (configuration section "PrunerCluster:Http"): Prometheus metrics, liveness and readiness, and
/// optionally the Orleans dashboard. Off (port 0) unless configured. None of it is authenticated: keep the port on a
/// private network.
/// </summary>
public sealed class SiloHttpOptions
{
    public const string SectionName = "PrunerCluster:Http";
    public const string MetricsPath = "/metrics";
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";
    public const string DashboardPath = "/dashboard";

    /// <summary>TCP port of the HTTP endpoint; 0 serves no HTTP at all.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Address to listen on. Loopback by default, so an unauthenticated dashboard or metrics port never faces a public
    /// address by accident; the images and the chart set 0.0.0.0, where it faces only the container or pod network.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Serve the Orleans dashboard under <see cref="DashboardPath"/> (set it on every silo of the cluster).</summary>
    public bool Dashboard { get; set; }

    public bool Enabled => Port > 0;
}

public sealed class SiloHttpOptionsValidator : IValidateOptions<SiloHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add(FormattableString.Invariant($"{SiloHttpOptions.SectionName}:Port must be 0 (off) or a TCP port in 1..65535, got {options.Port}."));
        }

        if (!IPAddress.TryParse(options.BindAddress, out _))
        {
            failures.Add($"{SiloHttpOptions.SectionName}:BindAddress must be an IP address (e.g. 0.0.0.0 or 127.0.0.1), got '{options.BindAddress}'.");
        }

        if (options.Dashboard && !options.Enabled)
        {
            failures.Add($"{SiloHttpOptions.SectionName}:Dashboard needs {SiloHttpOptions.SectionName}:Port > 0 (the dashboard is served by the silo's HTTP endpoint).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
