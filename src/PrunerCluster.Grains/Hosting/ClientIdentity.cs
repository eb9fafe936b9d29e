using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Hosting;

/// <summary>
/// Who submitted an experiment: the holder of a client certificate (mutual TLS, proven by a signature), a name the client
/// declared (no TLS: advisory only, anyone may claim any name), or anonymous (a client that sent neither).
/// </summary>
/// <param name="Key">What experiments are counted by: <c>certificate:&lt;SHA-256&gt;</c>, <c>name:&lt;name&gt;</c> or <c>anonymous</c>.</param>
/// <param name="Subject">The certificate's subject, or the declared name.</param>
/// <param name="Thumbprint">The certificate's SHA-256 thumbprint (hex, upper case); null without a certificate.</param>
public sealed record ClientIdentity(string Key, string Subject, string? Thumbprint)
{
    public static readonly ClientIdentity Anonymous = new("anonymous", "anonymous", null);

    public bool IsCertificate => Thumbprint is not null;

    public static ClientIdentity Declared(string name) => new("name:" + name, name, null);

    public static ClientIdentity Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new("certificate:" + thumbprint, certificate.Subject, thumbprint);
    }

    /// <summary>
    /// True when a configured client (<c>PrunerCluster:Limits:Clients:N:Client</c>) names this one: a certificate by its
    /// subject (e.g. <c>CN=alice</c>) or its SHA-256 thumbprint (hex, colons allowed, any case); a declared name exactly.
    /// </summary>
    public bool Matches(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var value = configured.Trim();
        if (Thumbprint is null)
        {
            return Key != Anonymous.Key ? string.Equals(value, Subject, StringComparison.Ordinal) : string.Equals(value, Anonymous.Key, StringComparison.Ordinal);
        }

        return string.Equals(value, Subject, StringComparison.OrdinalIgnoreCase)
            || string.Equals(value.Replace(":", string.Empty, StringComparison.Ordinal), Thumbprint, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>How errors and the experiment list name this client.</summary>
    public override string ToString() => Thumbprint is { } thumbprint
        ? string.Create(CultureInfo.InvariantCulture, $"client certificate '{Subject}' (SHA-256 {thumbprint[..Math.Min(16, thumbprint.Length)]}...)")
        : Key == Anonymous.Key ? "anonymous client" : $"client '{Subject}' (declared name, not authenticated)";
}

/// <summary>On a cluster with mutual TLS: whether a client certificate chains to the cluster's CA.</summary>
public interface IClientCertificateTrust
{
    bool Trusts(X509Certificate2 certificate);
}

/// <summary>
/// Reads a submission's <see cref="ClientIdentity"/> from its request context (<see cref="ClientIdentityHeaders"/>). With
/// <see cref="IClientCertificateTrust"/> registered (mutual TLS) only a certificate that chains to the CA, with a fresh
/// signature made by its key, is an identity; a declared name is not. Without it, the declared name is taken as given.
/// </summary>
public sealed class ClientIdentityResolver(TimeProvider time, IClientCertificateTrust? trust = null)
{
    private const int MaxNameLength = 200;

    public bool RequiresCertificate => trust is not null;

    /// <summary>The identity, or the reason it is refused (one line, naming what was wrong).</summary>
    public (ClientIdentity? Identity, string? Refused) Resolve(Func<string, object?> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (trust is null)
        {
            return context(ClientIdentityHeaders.Name) is string { Length: > 0 } name
                ? (ClientIdentity.Declared(name.Length > MaxNameLength ? name[..MaxNameLength] : name), null)
                : (ClientIdentity.Anonymous, null);
        }

        if (context(ClientIdentityHeaders.Certificate) is not string der || context(ClientIdentityHeaders.Proof) is not string proof
            || context(ClientIdentityHeaders.SignedAt) is not string signedAt)
        {
            return (null, "this cluster identifies clients by their TLS certificate, and the submission carried no signed certificate (submit with a prunercluster client given --tls-cert and --tls-key)");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return (null, "the submission's client certificate is not a certificate");
        }

        using (certificate)
        {
            if (!trust.Trusts(certificate))
            {
                return (null, $"the submission's client certificate '{certificate.Subject}' does not chain to this cluster's CA");
            }

            if (!long.TryParse(signedAt, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks
                || (time.GetUtcNow() - new DateTimeOffset(ticks, TimeSpan.Zero)).Duration() > ClientIdentityHeaders.MaxClockSkew)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"the submission's identity proof was not signed within {ClientIdentityHeaders.MaxClockSkew.TotalMinutes:0} minutes of this silo's clock (check both clocks)"));
            }

            return Verify(certificate, ClientIdentityHeaders.Payload(ticks), proof)
                ? (ClientIdentity.Of(certificate), null)
                : (null, $"the submission's identity proof is not signed by the private key of certificate '{certificate.Subject}'");
        }
    }

    private static bool Verify(X509Certificate2 certificate, byte[] payload, string proof)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(proof);
        }
        catch (FormatException)
        {
            return false;
        }

        try
        {
            using var ecdsa = certificate.GetECDsaPublicKey();
            if (ecdsa is not null)
            {
                return ecdsa.VerifyData(payload, signature, HashAlgorithmName.SHA256);
            }

            using var rsa = certificate.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(payload, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
