using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// The <c>--gateway</c> value: comma-separated gateways, each a port on this machine (<c>30000</c>) or a host and port
/// (<c>silo-1:30000</c>, <c>10.0.0.7:30000</c>, <c>[::1]:30000</c>).
/// </summary>
public static class GatewayAddresses
{
    public const string Expected = "a comma-separated list of PORT or HOST:PORT (e.g. 30000 or silo-1:30000,10.0.0.7:30000; IPv6 as [::1]:30000)";

    /// <summary>One gateway; <see cref="Host"/> is null for a bare port on this machine.</summary>
    public sealed record Gateway(string? Host, int Port);

    public static IReadOnlyList<Gateway> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            throw new CliException($"option {ConnectionOptions.GatewayName} expects {Expected}, got '{text}'");
        }

        return [.. items.Select(item => ParseOne(item) ?? throw new CliException(
            $"option {ConnectionOptions.GatewayName} expects {Expected}, got '{item}'{(item == text.Trim() ? "" : $" in '{text}'")}"))];
    }

    /// <summary>The gateways' endpoints, host names resolved (IPv4 first); a bare port is on the loopback address.</summary>
    public static async Task<IPEndPoint[]> ResolveAsync(IReadOnlyList<Gateway> gateways, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var endpoints = new IPEndPoint[gateways.Count];
        for (var i = 0; i < gateways.Count; i++)
        {
            var (host, port) = gateways[i];
            endpoints[i] = new IPEndPoint(await AddressAsync(host, cancellationToken).ConfigureAwait(false), port);
        }

        return endpoints;
    }

    private static async Task<IPAddress> AddressAsync(string? host, CancellationToken cancellationToken)
    {
        if (host is null)
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new CliException($"option {ConnectionOptions.GatewayName}: host '{host}' has no address", ExitCodes.Unavailable);
        }
        catch (SocketException ex)
        {
            throw new CliException($"option {ConnectionOptions.GatewayName}: cannot resolve host '{host}' ({ex.Message})", ExitCodes.Unavailable, ex);
        }
    }

    private static Gateway? ParseOne(string item)
    {
        if (ParsePort(item) is { } bare)
        {
            return new Gateway(null, bare);
        }

        string host;
        string port;
        if (item.StartsWith('['))
        {
            var close = item.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = item[1..close];
            port = item[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }
        }
        else
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon != item.LastIndexOf(':'))
            {
                return null;
            }

            host = item[..colon];
            port = item[(colon + 1)..];
            if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.IPv6)
            {
                return null;
            }
        }

        return ParsePort(port) is { } p ? new Gateway(host, p) : null;
    }

    private static int? ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > IPEndPoint.MinPort and <= IPEndPoint.MaxPort ? port : null;
}
