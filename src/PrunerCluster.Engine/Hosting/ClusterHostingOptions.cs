using System.Net;
using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Hosting;

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
    /// IP address other silos and clients reach this silo at, in every mode. Empty: in postgres mode the pod's IP (POD_IP)
    /// or the first address of this host's name; in localhost mode 127.0.0.1. In localhost mode the primary silo is
    /// looked for at this address too, so every silo of one localhost cluster advertises the same address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// IP address the silo and gateway ports listen on, in every mode (environment: PrunerCluster__Cluster__ListenAddress).
    /// Empty: 0.0.0.0 when <see cref="ListenOnAnyHostAddress"/> is set or in a pod, else the advertised address, which
    /// in localhost mode is 127.0.0.1: a container with published ports needs 0.0.0.0 here.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>Listen on all interfaces (containers) while advertising <see cref="AdvertisedAddress"/>; same as ListenAddress 0.0.0.0.</summary>
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

    /// <summary>The primary silo of a localhost cluster: <see cref="PrimarySiloPort"/> at the advertised address.</summary>
    public IPEndPoint PrimaryEndpoint => new(ResolveEndpoints(podIp: null).Advertised, PrimarySiloPort);

    /// <summary>
    /// The address this silo advertises and the one its silo and gateway ports listen on. <paramref name="podIp"/> is the
    /// downward API's POD_IP (postgres mode only): advertised when no address is configured, and it makes the silo
    /// listen on every address. Call it on validated options.
    /// </summary>
    public (IPAddress Advertised, IPAddress Listen) ResolveEndpoints(string? podIp)
    {
        var inPod = IsPostgres && !string.IsNullOrWhiteSpace(podIp);
        var advertised = !string.IsNullOrWhiteSpace(AdvertisedAddress)
            ? IPAddress.Parse(AdvertisedAddress)
            : IsPostgres
                ? Storage.PostgresClusterExtensions.AdvertisedAddress(inPod ? podIp : null)
                : IPAddress.Loopback;
        var listen = !string.IsNullOrWhiteSpace(ListenAddress)
            ? IPAddress.Parse(ListenAddress)
            : ListenOnAnyHostAddress || inPod ? IPAddress.Any : advertised;
        return (advertised, listen);
    }
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

        if (!string.IsNullOrWhiteSpace(options.ListenAddress))
        {
            if (!IPAddress.TryParse(options.ListenAddress, out var listen))
            {
                failures.Add($"PrunerCluster:Cluster:ListenAddress must be an IP address of this host (e.g. 0.0.0.0 for every interface, 127.0.0.1 for loopback only), got '{options.ListenAddress}'.");
            }
            else if (options.ListenOnAnyHostAddress && !listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.IPv6Any))
            {
                failures.Add($"PrunerCluster:Cluster:ListenAddress '{options.ListenAddress}' contradicts ListenOnAnyHostAddress=true (which listens on 0.0.0.0): set one of them.");
            }
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
