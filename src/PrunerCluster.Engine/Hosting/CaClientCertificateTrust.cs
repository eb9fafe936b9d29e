using System.Security.Cryptography.X509Certificates;
using PrunerCluster.Client.Security;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Engine.Hosting;

/// <summary>With mutual TLS on: a client certificate is trusted when it chains to the cluster's CA, as at the handshake.</summary>
internal sealed class CaClientCertificateTrust(MutualTlsMaterial material) : IClientCertificateTrust
{
    public bool Trusts(X509Certificate2 certificate) => material.Accepts(certificate);
}
