using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Security;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Testing;

namespace PrunerCluster.Engine.Tests.Hosting;

/// <summary>
/// A silo with "PrunerCluster:Tls" on serves only clients whose certificate the cluster's CA issued: a client without
/// one, or with one from another CA, gets no gateway; a client with one lists the experiments.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class MutualTlsTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan RefusedWithin = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _temp = new();
    private EmbeddedCluster? _cluster;
    private MutualTlsPaths _client = null!;
    private MutualTlsPaths _colleague = null!;
    private MutualTlsPaths _stranger = null!;

    public async Task InitializeAsync()
    {
        using var ca = Authority("PrunerCluster test CA");
        using var otherCa = Authority("Someone else's CA");
        var silo = Issue(ca, "silo", "silo");
        _client = Issue(ca, "client", "client");
        _colleague = Issue(ca, "colleague", "colleague");
        // The stranger trusts the cluster's CA, so only the silo's check of its certificate can turn it away.
        _stranger = Issue(otherCa, "stranger", "stranger") with { CaPath = _client.CaPath };
        _cluster = await EmbeddedCluster.StartAsync(1, verbose: false, new Dictionary<string, string?>
        {
            ["PrunerCluster:Tls:Enabled"] = "true",
            ["PrunerCluster:Tls:CertificatePath"] = silo.CertificatePath,
            ["PrunerCluster:Tls:KeyPath"] = silo.KeyPath,
            ["PrunerCluster:Tls:CaPath"] = silo.CaPath,
            ["PrunerCluster:Cluster:EnableSyntheticBackend"] = "true",
            ["PrunerCluster:Limits:Clients:0:Client"] = "CN=client",
            ["PrunerCluster:Limits:Clients:0:MaxActiveExperiments"] = "1",
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_client_with_a_certificate_from_the_clusters_CA_is_served()
    {
        await using var connection = await Connect(_client, TimeSpan.FromSeconds(30));
        var experiments = await connection.Grains.GetExperimentRegistry().List();
        Assert.Empty(experiments);
    }

    [Fact]
    public async Task A_clients_certificate_is_its_identity_for_per_client_limits_whatever_name_it_declares()
    {
        var spec = new ExperimentSpec
        {
            Name = "tls-limit",
            Backend = "synthetic",
            Model = "vgg",
            Dataset = "synthetic",
            Search = new SearchSettings { PopulationSize = 4 },
            Budget = new BudgetSettings { MaxEvaluations = 400 },
            Synthetic = new SyntheticSettings { Duration = TimeSpan.FromSeconds(1) },
        };
        await using var client = await Connect(_client, TimeSpan.FromSeconds(30));
        var first = await client.Grains.SubmitExperimentAsync(spec);
        Assert.True(first.Accepted, string.Join("; ", first.Errors));
        var refused = await client.Grains.SubmitExperimentAsync(spec);
        Assert.False(refused.Accepted);
        var error = Assert.Single(refused.Errors).Message;
        Assert.StartsWith("client certificate 'CN=client' (SHA-256 ", error, StringComparison.Ordinal);
        Assert.EndsWith("already runs 1 experiment(s), its limit (PrunerCluster:Limits:Clients:0:MaxActiveExperiments = 1); cancel one or submit when one ends", error, StringComparison.Ordinal);

        // Another certificate of the same CA is another client, even when it declares the first one's subject as its name.
        await using var colleague = await Connect(_colleague, TimeSpan.FromSeconds(30), clientName: "CN=client");
        var second = await colleague.Grains.SubmitExperimentAsync(spec);
        Assert.True(second.Accepted, string.Join("; ", second.Errors));
        var listed = await client.Grains.GetExperimentRegistry().List();
        Assert.All(listed, row => Assert.StartsWith("certificate:", row.Client, StringComparison.Ordinal));
        Assert.Equal(2, listed.Select(row => row.Client).Distinct().Count());
        foreach (var row in listed)
        {
            await client.Grains.GetExperiment(row.ExperimentId).Cancel();
        }
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        var ex = await Assert.ThrowsAsync<CliException>(() => Connect(null, RefusedWithin));
        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_another_CA_is_refused()
    {
        var ex = await Assert.ThrowsAsync<CliException>(() => Connect(_stranger, RefusedWithin));
        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
    }

    /// <summary>
    /// Three hundred connections, eight at a time, send the gateway what no client sends (random bytes, TLS records with
    /// random or truncated bodies, a ClientHello cut short, nothing at all) and half-close: the silo closes each one, and
    /// afterwards still serves a client with a certificate.
    /// </summary>
    [Fact]
    public async Task Garbage_on_the_gateway_is_dropped_and_the_silo_keeps_serving()
    {
        var random = new Random(20261207);
        var payloads = Enumerable.Range(0, 300).Select(i => Garbage(random, i % 5)).ToList();
        using var gate = new SemaphoreSlim(8);
        var closed = await Task.WhenAll(payloads.Select(async payload =>
        {
            await gate.WaitAsync();
            try
            {
                return await SendAndAwaitClose(payload, TimeSpan.FromSeconds(15));
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.All(closed, Assert.True);

        await using var connection = await Connect(_client, TimeSpan.FromSeconds(30));
        Assert.NotNull(await connection.Grains.GetExperimentRegistry().List());
    }

    private static byte[] Garbage(Random random, int kind)
    {
        var body = new byte[random.Next(1, 1500)];
        random.NextBytes(body);
        return kind switch
        {
            0 => body,
            // A TLS handshake record header (content type 22, TLS 1.2) announcing a length its random body may not have.
            1 => [0x16, 0x03, 0x03, (byte)random.Next(256), (byte)random.Next(256), .. body],
            // A ClientHello header with a random body cut short.
            2 => [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. body[..Math.Min(body.Length, random.Next(1, 64))]],
            // An alert record, then noise.
            3 => [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, .. body],
            _ => [],
        };
    }

    /// <summary>Connects to the gateway, sends <paramref name="payload"/>, half-closes, and says whether the silo closed the connection within <paramref name="within"/>.</summary>
    private async Task<bool> SendAndAwaitClose(byte[] payload, TimeSpan within)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, _cluster!.GatewayPort);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(payload);
            client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(within);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public void A_silo_with_tls_on_but_no_files_is_refused_naming_the_settings()
    {
        var result = new TlsHostingOptionsValidator().Validate(null, new TlsHostingOptions { Enabled = true, CertificatePath = "/x.pem" });
        Assert.True(result.Failed);
        Assert.Contains("PrunerCluster:Tls:KeyPath", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Tls:CaPath", result.FailureMessage, StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidDataException>(() => MutualTlsMaterial.Load(new TlsHostingOptions { Enabled = true, CertificatePath = System.IO.Path.Combine(_temp.Path, "none.pem"), KeyPath = "k", CaPath = "c" }.Paths()));
        Assert.Contains("PrunerCluster:Tls:CertificatePath", missing.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
    }

    private Task<ClusterConnection> Connect(MutualTlsPaths? tls, TimeSpan timeout, string? clientName = null) =>
        ClusterConnection.ConnectAsync(_cluster!.GatewayPort.ToString(CultureInfo.InvariantCulture), "prunercluster", "prunercluster", CancellationToken.None, timeout, tls: tls, clientName: clientName);

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A leaf certificate for both TLS roles, signed by <paramref name="ca"/>, and its files (with the CA's) under the temp directory.</summary>
    private MutualTlsPaths Issue(X509Certificate2 ca, string subject, string file)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        var certificate = _temp.File(file + ".crt", signed.ExportCertificatePem());
        var privateKey = _temp.File(file + ".key", key.ExportPkcs8PrivateKeyPem());
        var authority = _temp.File(file + "-ca.crt", ca.ExportCertificatePem());
        return new MutualTlsPaths(certificate, privateKey, authority);
    }
}
