using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Tests.Coordination;

namespace PrunerCluster.Grains.Tests.Hosting;

/// <summary>
/// Who a submission comes from: without TLS the name the client declares (or anonymous); with mutual TLS only a
/// certificate that chains to the CA, with a fresh signature made by its own private key.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ClientIdentityResolverTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 14, 0, 0, TimeSpan.Zero);
    private readonly ManualTime _time = new() { Now = Now };
    private readonly X509Certificate2 _ca = Authority("test CA");
    private readonly X509Certificate2 _otherCa = Authority("other CA");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public void Without_tls_the_declared_name_is_the_identity_and_no_name_is_anonymous()
    {
        var resolver = new ClientIdentityResolver(_time);
        Assert.Equal(ClientIdentity.Declared("alice"), resolver.Resolve(Context((ClientIdentityHeaders.Name, "alice"))).Identity);
        Assert.Equal(ClientIdentity.Anonymous, resolver.Resolve(Context()).Identity);
        Assert.False(resolver.RequiresCertificate);
    }

    [Fact]
    public void With_tls_a_certificate_of_the_CA_signed_with_its_key_is_the_identity_whatever_name_is_declared()
    {
        using var alice = Issue(_ca, "alice");
        var (identity, refused) = Resolver().Resolve(Context([(ClientIdentityHeaders.Name, "bob"), .. Signed(alice, alice, Now)]));
        Assert.Null(refused);
        Assert.NotNull(identity);
        Assert.Equal("CN=alice", identity.Subject);
        Assert.Equal(alice.GetCertHashString(HashAlgorithmName.SHA256), identity.Thumbprint);
        Assert.Equal("certificate:" + identity.Thumbprint, identity.Key);
    }

    [Fact]
    public void With_tls_a_declared_name_alone_a_stranger_certificate_another_key_or_a_stale_proof_is_refused_saying_why()
    {
        using var alice = Issue(_ca, "alice");
        using var mallory = Issue(_ca, "mallory");
        using var stranger = Issue(_otherCa, "stranger");
        var resolver = Resolver();

        Assert.Contains("carried no signed certificate", Refused(resolver, (ClientIdentityHeaders.Name, "alice")), StringComparison.Ordinal);
        Assert.Contains("'CN=stranger' does not chain to this cluster's CA", Refused(resolver, Signed(stranger, stranger, Now)), StringComparison.Ordinal);

        // Mallory names alice's certificate (public) but can sign only with her own key.
        Assert.Contains("not signed by the private key of certificate 'CN=alice'", Refused(resolver, Signed(alice, mallory, Now)), StringComparison.Ordinal);
        Assert.Contains("not signed within 5 minutes", Refused(resolver, Signed(alice, alice, Now.AddMinutes(-6))), StringComparison.Ordinal);
        Assert.Contains("is not a certificate", Refused(resolver, (ClientIdentityHeaders.Certificate, "bm90IGEgY2VydA=="), (ClientIdentityHeaders.Proof, "AA=="), (ClientIdentityHeaders.SignedAt, "1")), StringComparison.Ordinal);
    }

    private ClientIdentityResolver Resolver() => new(_time, new CaTrust(_ca));

    private static string Refused(ClientIdentityResolver resolver, params (string, string)[] headers)
    {
        var (identity, refused) = resolver.Resolve(Context(headers));
        Assert.Null(identity);
        return refused!;
    }

    private static Func<string, object?> Context(params (string Key, string Value)[] headers) =>
        key => headers.Where(h => h.Key == key).Select(h => (object?)h.Value).FirstOrDefault();

    /// <summary>The headers a client sends for <paramref name="named"/>'s certificate, signed with <paramref name="signer"/>'s key.</summary>
    private static (string, string)[] Signed(X509Certificate2 named, X509Certificate2 signer, DateTimeOffset at)
    {
        using var key = signer.GetECDsaPrivateKey()!;
        var signature = key.SignData(ClientIdentityHeaders.Payload(at.UtcTicks), HashAlgorithmName.SHA256);
        return
        [
            (ClientIdentityHeaders.Certificate, Convert.ToBase64String(named.RawData)),
            (ClientIdentityHeaders.SignedAt, at.UtcTicks.ToString(CultureInfo.InvariantCulture)),
            (ClientIdentityHeaders.Proof, Convert.ToBase64String(signature)),
        ];
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1000));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        using var signed = request.Create(ca, Now.AddHours(-1), Now.AddDays(999), RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(key);
    }

    private sealed class CaTrust(X509Certificate2 ca) : IClientCertificateTrust
    {
        public bool Trusts(X509Certificate2 certificate)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        }
    }
}
