using System.Net;
using Microsoft.Extensions.Options;

namespace PrunerCluster.Silo.Hosting;

/// <summary>How this process joins a cluster (configuration section "PrunerCluster:Cluster").</summary>
public sealed class ClusterHostingOptions
{
    public const string SectionName = "PrunerCluster:Cluster";

    /// <summary>
    /// "localhost" (alias "local"): silos on one machine on distinct ports, membership kept by the primary silo, memory
    /// storage (no database). "postgres": membership, grain state and reminders in PostgreSQL ("PrunerCluster:Postgres"),
    /// no primary silo, any silo may die and the whole cluster may restart.
    /// </summary>
    public string Mode { get; set; } = "localhost";

    /// <summary>
    /// IP address other silos and clients reach this silo at (postgres mode). Empty: the first address of this host's name.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Listen on all interfaces (containers) while advertising <see cref="AdvertisedAddress"/>.</summary>
    public bool ListenOnAnyHostAddress { get; set; }

    public bool IsPostgres => string.Equals(Mode, "postgres", StringComparison.OrdinalIgnoreCase);

    public string ClusterId { get; set; } = "prunercluster";

    public string ServiceId { get; set; } = "prunercluster";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silo port of the primary silo that keeps membership in localhost mode.</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>Emit traces and metrics to the console (OpenTelemetry console exporter).</summary>
    public bool ConsoleTelemetry { get; set; }

    /// <summary>Also register the deterministic synthetic backend (for cluster tests and benchmarks; never needed by users).</summary>
    public bool EnableSyntheticBackend { get; set; }

    public IPEndPoint PrimaryEndpoint => new(IPAddress.Loopback, PrimarySiloPort);
}

public sealed class ClusterHostingOptionsValidator : IValidateOptions<ClusterHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Mode is not ("localhost" or "local" or "postgres"))
        {
            failures.Add($"PrunerCluster:Cluster:Mode must be 'localhost' (alias 'local') or 'postgres', got '{options.Mode}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.AdvertisedAddress) && !IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            failures.Add($"PrunerCluster:Cluster:AdvertisedAddress must be an IP address, got '{options.AdvertisedAddress}'.");
        }

        foreach (var (field, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort), ("PrimarySiloPort", options.PrimarySiloPort) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add(FormattableString.Invariant($"PrunerCluster:Cluster:{field} must be a TCP port in 1..65535, got {port}."));
            }
        }

        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:Cluster:SiloPort and GatewayPort must differ, both are {options.SiloPort}."));
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add("PrunerCluster:Cluster:ClusterId and ServiceId must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
