using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Security;

/// <summary>
/// Tells the cluster who submits (<see cref="ClientIdentityHeaders"/>): every call to the experiment registry carries this
/// client's declared name and, with mutual TLS, its certificate and a fresh signature made with its private key, which
/// the silo checks before it counts the submission against the client's limits.
/// </summary>
public static class ClientIdentityStamp
{
    public const string NameVariable = "PRUNERCLUSTER_CLIENT_NAME";

    /// <summary>The declared name when none is given: this user's login name.</summary>
    public static string DefaultName() => Environment.GetEnvironmentVariable(NameVariable) is { Length: > 0 } name ? name : Environment.UserName;

    /// <summary>Adds the identity to every registry call this client makes.</summary>
    public static IClientBuilder UsePrunerClusterIdentity(this IClientBuilder client, string? declaredName, X509Certificate2? certificate)
    {
        ArgumentNullException.ThrowIfNull(client);
        var name = string.IsNullOrWhiteSpace(declaredName) ? DefaultName() : declaredName.Trim();
        return client.AddOutgoingGrainCallFilter(async context =>
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IExperimentRegistryGrain))
            {
                foreach (var (key, value) in Headers(name, certificate, DateTimeOffset.UtcNow))
                {
                    RequestContext.Set(key, value);
                }
            }

            await context.Invoke().ConfigureAwait(false);
        });
    }

    /// <summary>The request-context entries: the name, and with a certificate its DER, the time and the signature.</summary>
    public static IReadOnlyList<(string Key, string Value)> Headers(string name, X509Certificate2? certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(name);
        var headers = new List<(string, string)> { (ClientIdentityHeaders.Name, name) };
        if (certificate is null)
        {
            return headers;
        }

        var ticks = now.UtcTicks;
        var payload = ClientIdentityHeaders.Payload(ticks);
        byte[] signature;
        using (var ecdsa = certificate.GetECDsaPrivateKey())
        {
            if (ecdsa is not null)
            {
                signature = ecdsa.SignData(payload, HashAlgorithmName.SHA256);
            }
            else
            {
                using var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidDataException($"the client certificate '{certificate.Subject}' has no ECDSA or RSA private key to sign its identity with");
                signature = rsa.SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            }
        }

        headers.Add((ClientIdentityHeaders.Certificate, Convert.ToBase64String(certificate.RawData)));
        headers.Add((ClientIdentityHeaders.SignedAt, ticks.ToString(CultureInfo.InvariantCulture)));
        headers.Add((ClientIdentityHeaders.Proof, Convert.ToBase64String(signature)));
        return headers;
    }
}
