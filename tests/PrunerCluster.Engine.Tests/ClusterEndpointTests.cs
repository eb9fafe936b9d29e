using System.Net;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests;

/// <summary>The silo's advertised and listening addresses (PrunerCluster:Cluster:AdvertisedAddress, ListenAddress, ListenOnAnyHostAddress).</summary>
[Trait("Category", "Unit")]
public sealed class ClusterEndpointTests
{
    [Fact]
    public void Localhost_mode_listens_on_loopback_by_default()
    {
        var (advertised, listen) = new ClusterHostingOptions().ResolveEndpoints(podIp: null);
        Assert.Equal(IPAddress.Loopback, advertised);
        Assert.Equal(IPAddress.Loopback, listen);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111), new ClusterHostingOptions().PrimaryEndpoint);
    }

    [Fact]
    public void Localhost_mode_in_a_container_listens_on_every_address_and_still_advertises_loopback()
    {
        var (advertised, listen) = new ClusterHostingOptions { ListenAddress = "0.0.0.0" }.ResolveEndpoints(podIp: null);
        Assert.Equal(IPAddress.Loopback, advertised);
        Assert.Equal(IPAddress.Any, listen);

        (advertised, listen) = new ClusterHostingOptions { ListenOnAnyHostAddress = true }.ResolveEndpoints(podIp: null);
        Assert.Equal(IPAddress.Loopback, advertised);
        Assert.Equal(IPAddress.Any, listen);
    }

    [Fact]
    public void Localhost_mode_advertises_the_configured_address_and_finds_the_primary_there()
    {
        var options = new ClusterHostingOptions { AdvertisedAddress = "10.88.0.5", PrimarySiloPort = 11112 };
        var (advertised, listen) = options.ResolveEndpoints(podIp: "10.1.1.1");
        Assert.Equal(IPAddress.Parse("10.88.0.5"), advertised);
        Assert.Equal(IPAddress.Parse("10.88.0.5"), listen);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.88.0.5"), 11112), options.PrimaryEndpoint);
    }

    [Fact]
    public void Postgres_mode_in_a_pod_advertises_the_pod_ip_and_listens_on_every_address()
    {
        var (advertised, listen) = new ClusterHostingOptions { Mode = "postgres" }.ResolveEndpoints(podIp: "10.244.1.7");
        Assert.Equal(IPAddress.Parse("10.244.1.7"), advertised);
        Assert.Equal(IPAddress.Any, listen);

        // An explicit listen address wins over the pod's "every address".
        (advertised, listen) = new ClusterHostingOptions { Mode = "postgres", ListenAddress = "10.244.1.7" }.ResolveEndpoints(podIp: "10.244.1.7");
        Assert.Equal(IPAddress.Parse("10.244.1.7"), advertised);
        Assert.Equal(IPAddress.Parse("10.244.1.7"), listen);
    }

    [Fact]
    public void Postgres_mode_outside_a_pod_listens_where_it_advertises()
    {
        var (advertised, listen) = new ClusterHostingOptions { Mode = "postgres", AdvertisedAddress = "127.0.0.1" }.ResolveEndpoints(podIp: null);
        Assert.Equal(IPAddress.Loopback, advertised);
        Assert.Equal(IPAddress.Loopback, listen);
    }

    [Theory]
    [InlineData("silo-0", false, "PrunerCluster:Cluster:ListenAddress must be an IP address of this host (e.g. 0.0.0.0 for every interface, 127.0.0.1 for loopback only), got 'silo-0'.")]
    [InlineData("0.0.0.0:30000", false, "PrunerCluster:Cluster:ListenAddress must be an IP address of this host (e.g. 0.0.0.0 for every interface, 127.0.0.1 for loopback only), got '0.0.0.0:30000'.")]
    [InlineData("127.0.0.1", true, "PrunerCluster:Cluster:ListenAddress '127.0.0.1' contradicts ListenOnAnyHostAddress=true (which listens on 0.0.0.0): set one of them.")]
    public void A_bad_listen_address_is_refused_naming_the_field_and_value(string value, bool listenOnAny, string expected)
    {
        var result = new ClusterHostingOptionsValidator().Validate(null, new ClusterHostingOptions { ListenAddress = value, ListenOnAnyHostAddress = listenOnAny });
        Assert.True(result.Failed);
        Assert.Equal([expected], result.Failures);
    }

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("", false)]
    public void Good_listen_addresses_pass(string value, bool listenOnAny)
    {
        Assert.True(new ClusterHostingOptionsValidator().Validate(null, new ClusterHostingOptions { ListenAddress = value, ListenOnAnyHostAddress = listenOnAny }).Succeeded);
    }
}
