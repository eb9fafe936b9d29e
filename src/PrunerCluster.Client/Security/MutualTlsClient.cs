using Orleans.Connections.Security;

namespace PrunerCluster.Client.Security;

/// <summary>
/// The client side of the cluster's mutual TLS. The three PEM files come from <see cref="CertificateVariable"/>,
/// <see cref="KeyVariable"/> and <see cref="CaVariable"/>; all three or none.
/// </summary>
public static class MutualTlsClient
{
    public const string CertificateVariable = "PRUNERCLUSTER_TLS_CERT";
    public const string KeyVariable = "PRUNERCLUSTER_TLS_KEY";
    public const string CaVariable = "PRUNERCLUSTER_TLS_CA";

    /// <summary>The server name a TLS client asks for; certificates are checked by chain to the CA, not by name.</summary>
    public const string TargetHost = "prunercluster";

    /// <summary>
    /// The three paths (each with the name to show in errors); null when none is set; some but not all set is an
    /// <see cref="InvalidDataException"/> naming the missing ones.
    /// </summary>
    public static MutualTlsPaths? Resolve((string Name, string? Value) certificate, (string Name, string? Value) key, (string Name, string? Value) ca)
    {
        (string Name, string? Value)[] settings = [certificate, key, ca];
        var names = settings.Select(s => s.Name).ToArray();
        var values = settings.Select(s => s.Value is { Length: > 0 } v ? v : null).ToArray();
        if (values.All(v => v is null))
        {
            return null;
        }

        var missing = names.Where((_, i) => values[i] is null).ToList();
        return missing.Count > 0
            ? throw new InvalidDataException($"mutual TLS needs {string.Join(", ", names)} together; {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set.")
            : new MutualTlsPaths(values[0]!, values[1]!, values[2]!, names[0], names[1], names[2]);
    }

    /// <summary>Presents the client's certificate to the gateways and accepts only gateways whose certificate chains to the CA.</summary>
    public static IClientBuilder UsePrunerClusterTls(this IClientBuilder client, MutualTlsMaterial material)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(material);
        return client.UseTls(material.Certificate, options =>
        {
            options.RemoteCertificateValidation = (certificate, _, _) => material.Accepts(certificate);
            options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = TargetHost;
        });
    }
}
