using System.Globalization;
using System.Text;

namespace PrunerCluster.Contracts;

/// <summary>
/// How a client tells the registry who it is, in the request context of a submission. On a cluster with mutual TLS it
/// sends its certificate and a signature, made with the certificate's private key, over <see cref="Payload"/> of the
/// current time: the silo checks the chain to the cluster's CA and the signature, so a client can be only the holder of
/// the certificate it names. Without TLS it sends a name of its own choosing, which anyone can claim: advisory only.
/// </summary>
public static class ClientIdentityHeaders
{
    /// <summary>The client-declared name (no TLS).</summary>
    public const string Name = "prunercluster.client.name";

    /// <summary>The client's certificate, base64 DER.</summary>
    public const string Certificate = "prunercluster.client.certificate";

    /// <summary>When the proof was signed: UTC ticks, invariant digits.</summary>
    public const string SignedAt = "prunercluster.client.signed-at";

    /// <summary>The signature over <see cref="Payload"/>, base64.</summary>
    public const string Proof = "prunercluster.client.proof";

    /// <summary>Every request-context key a client's identity uses.</summary>
    public static readonly IReadOnlyList<string> All = [Name, Certificate, SignedAt, Proof];

    /// <summary>How far a proof's time may be from the silo's clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The bytes a client signs: a fixed purpose string and the signing time.</summary>
    public static byte[] Payload(long signedAtUtcTicks) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"prunercluster-client-identity|{signedAtUtcTicks}"));
}
