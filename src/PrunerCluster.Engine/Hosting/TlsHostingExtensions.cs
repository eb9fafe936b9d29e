using Orleans.Connections.Security;
using PrunerCluster.Client.Security;

namespace PrunerCluster.Engine.Hosting;

public static class TlsHostingExtensions
{
    /// <summary>
    /// Turns on mutual TLS for the silo's inbound silo and gateway connections and its outbound silo connections: each
    /// side presents its certificate, and a peer is accepted only when its certificate chains to the cluster's CA.
    /// </summary>
    public static ISiloBuilder UsePrunerClusterTls(this ISiloBuilder silo, MutualTlsMaterial material)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(material);
        return silo.UseTls(material.Certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (certificate, _, _) => material.Accepts(certificate);
            options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = MutualTlsClient.TargetHost;
        });
    }
}
