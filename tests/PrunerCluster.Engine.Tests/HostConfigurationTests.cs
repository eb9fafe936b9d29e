using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests;

/// <summary>UsePrunerClusterSilo reads "PrunerCluster:*" configuration; these tests build hosts but never start them.</summary>
[Trait("Category", "Slow")]
public sealed class HostConfigurationTests
{
    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.UsePrunerClusterSilo();
        return builder.Build();
    }

    [Fact]
    public void Slots_devices_and_backend_options_come_from_configuration()
    {
        using var host = Build(
            ("PrunerCluster:DeviceKind", "cpu"),
            ("PrunerCluster:DeviceCount", "1"),
            ("PrunerCluster:SlotsPerDevice", "3"),
            ("PrunerCluster:TorchSharp:Threads", "1"),
            ("PrunerCluster:TorchSharp:CheckpointCacheDirectory", "/tmp/prunercluster-config-test"));
        var slots = host.Services.GetRequiredService<IOptions<PrunerClusterSiloOptions>>().Value;
        Assert.Equal("cpu", slots.DeviceKind);
        Assert.Equal(3, slots.Slots);
        var torch = host.Services.GetRequiredService<IOptions<TorchSharpBackendOptions>>().Value;
        Assert.Equal(1, torch.Threads);
        Assert.Equal("/tmp/prunercluster-config-test", torch.CheckpointCacheDirectory);

        // Only the product backend unless the synthetic one is asked for.
        Assert.Equal([TorchSharpEvaluationBackend.BackendName], host.Services.GetServices<IEvaluationBackend>().Select(b => b.Name));
    }

    [Fact]
    public void Auto_device_kind_falls_back_to_one_cpu_device_without_cuda()
    {
        using var host = Build(("PrunerCluster:DeviceKind", "auto"), ("PrunerCluster:DeviceCount", "4"), ("PrunerCluster:SlotsPerDevice", "2"));
        var slots = host.Services.GetRequiredService<IOptions<PrunerClusterSiloOptions>>().Value;
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Equal("cuda", slots.DeviceKind);
            return;
        }

        Assert.Equal("cpu", slots.DeviceKind);
        Assert.Equal(1, slots.DeviceCount);
        Assert.Equal(2, slots.Slots);
    }

    [Fact]
    public void Synthetic_backend_is_registered_when_enabled()
    {
        using var host = Build(("PrunerCluster:DeviceKind", "cpu"), ("PrunerCluster:Cluster:EnableSyntheticBackend", "true"));
        Assert.Equal(
            [SyntheticEvaluationBackend.BackendName, TorchSharpEvaluationBackend.BackendName],
            host.Services.GetServices<IEvaluationBackend>().Select(b => b.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("PrunerCluster:Cluster:GatewayPort", "11111", "SiloPort and GatewayPort must differ")]
    [InlineData("PrunerCluster:Cluster:SiloPort", "70000", "PrunerCluster:Cluster:SiloPort must be a TCP port")]
    [InlineData("PrunerCluster:Cluster:Mode", "kubernetes", "PrunerCluster:Cluster:Mode must be 'localhost'")]
    [InlineData("PrunerCluster:Cluster:ClusterId", " ", "ClusterId and ServiceId must not be empty")]
    [InlineData("PrunerCluster:Cluster:AdvertisedAddress", "my-host", "PrunerCluster:Cluster:AdvertisedAddress must be an IP address")]
    [InlineData("PrunerCluster:Cluster:ListenAddress", "any", "PrunerCluster:Cluster:ListenAddress must be an IP address of this host (e.g. 0.0.0.0 for every interface, 127.0.0.1 for loopback only), got 'any'.")]
    public void Bad_cluster_configuration_is_rejected_naming_the_key(string key, string value, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Build((key, value)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Localhost_mode_listens_where_configured_so_a_container_can_publish_its_ports()
    {
        using var loopback = Build(("PrunerCluster:DeviceKind", "cpu"));
        var endpoints = loopback.Services.GetRequiredService<IOptions<Orleans.Configuration.EndpointOptions>>().Value;
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 30000), endpoints.GatewayListeningEndpoint);

        using var container = Build(("PrunerCluster:DeviceKind", "cpu"), ("PrunerCluster:Cluster:ListenAddress", "0.0.0.0"));
        endpoints = container.Services.GetRequiredService<IOptions<Orleans.Configuration.EndpointOptions>>().Value;
        Assert.Equal(System.Net.IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
    }

    [Fact]
    public void Bad_slot_configuration_fails_validation_naming_the_key()
    {
        using var host = Build(("PrunerCluster:DeviceKind", "tpu"));
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<PrunerClusterSiloOptions>>().Value);
        Assert.Contains("PrunerCluster:DeviceKind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_backend_options_fail_validation_naming_the_key()
    {
        using var host = Build(("PrunerCluster:DeviceKind", "cpu"), ("PrunerCluster:TorchSharp:Threads", "0"));
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<TorchSharpBackendOptions>>().Value);
        Assert.Contains("PrunerCluster:TorchSharp:Threads", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_mode_without_a_connection_string_is_rejected_before_anything_starts()
    {
        // (Assumes PRUNERCLUSTER_POSTGRES and PRUNERCLUSTER_POSTGRES_FILE are not set for the test run, as in CI.)
        var ex = Assert.Throws<PrunerCluster.Storage.Postgres.PostgresConfigurationException>(() => Build(("PrunerCluster:Cluster:Mode", "postgres")));
        Assert.Contains("PrunerCluster:Postgres:ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_mode_never_shows_the_password_of_a_bad_connection_string()
    {
        var ex = Assert.Throws<PrunerCluster.Storage.Postgres.PostgresConfigurationException>(() => Build(
            ("PrunerCluster:Cluster:Mode", "postgres"),
            ("PrunerCluster:Postgres:ConnectionString", "Host=db;Password=s3cr3t-value;NoSuchKeyword=1")));
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Postgres:ConnectionString", ex.Message, StringComparison.Ordinal);
    }
}
