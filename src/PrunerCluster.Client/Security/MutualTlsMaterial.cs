using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PrunerCluster.Client.Security;

/// <summary>
/// One side's mutual-TLS material: its own certificate with private key, and the certificate authorities whose
/// certificates it accepts from the other side. Silos and clients share one private CA; peers are addressed by pod IP
/// or host name, so the chain to that CA is what authenticates, not the name in the certificate.
/// </summary>
public sealed class MutualTlsMaterial : IDisposable
{
    private MutualTlsMaterial(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        Authorities = authorities;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2Collection Authorities { get; }

    /// <summary>Reads PEM files; a missing or unreadable file is named in the <see cref="InvalidDataException"/>, with the setting it came from.</summary>
    public static MutualTlsMaterial Load(MutualTlsPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var certificate = LoadCertificate(paths);
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(Existing(paths.CaPath, paths.CaSetting));
        }
        catch (CryptographicException ex)
        {
            certificate.Dispose();
            throw new InvalidDataException($"{paths.CaSetting} '{paths.CaPath}' holds no readable PEM certificate: {ex.Message}", ex);
        }

        if (authorities.Count == 0)
        {
            certificate.Dispose();
            throw new InvalidDataException($"{paths.CaSetting} '{paths.CaPath}' holds no certificate; expected the PEM certificate(s) of the cluster's certificate authority.");
        }

        return new MutualTlsMaterial(certificate, authorities);
    }

    /// <summary>True when <paramref name="remote"/> chains to one of <see cref="Authorities"/> and is within its validity period.</summary>
    public bool Accepts(X509Certificate2? remote)
    {
        if (remote is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var authority in Authorities)
        {
            authority.Dispose();
        }
    }

    private static X509Certificate2 LoadCertificate(MutualTlsPaths paths)
    {
        var certificatePath = Existing(paths.CertificatePath, paths.CertificateSetting);
        var keyPath = Existing(paths.KeyPath, paths.KeySetting);
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

            // SslStream on some platforms refuses the ephemeral key of a PEM import; a PKCS#12 round trip gives a persisted one.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"{paths.CertificateSetting} '{paths.CertificatePath}' and {paths.KeySetting} '{paths.KeyPath}' are not a PEM certificate with its private key: {ex.Message}", ex);
        }
    }

    private static string Existing(string path, string setting) =>
        File.Exists(path) ? path : throw new InvalidDataException($"{setting} '{path}' does not exist; expected a PEM file.");
}
