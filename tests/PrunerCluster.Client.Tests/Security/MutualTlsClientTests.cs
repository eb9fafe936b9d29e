using PrunerCluster.Client.Security;

namespace PrunerCluster.Client.Tests.Security;

[Trait("Category", "Unit")]
public sealed class MutualTlsClientTests
{
    [Fact]
    public void No_setting_means_no_tls()
    {
        Assert.Null(MutualTlsClient.Resolve(("--tls-cert", null), ("--tls-key", ""), ("--tls-ca", null)));
    }

    [Fact]
    public void All_three_settings_give_the_paths()
    {
        var paths = MutualTlsClient.Resolve(("--tls-cert", "c.pem"), ("--tls-key", "k.pem"), ("--tls-ca", "ca.pem"));
        Assert.Equal(new MutualTlsPaths("c.pem", "k.pem", "ca.pem", "--tls-cert", "--tls-key", "--tls-ca"), paths);
    }

    [Fact]
    public void Some_but_not_all_is_refused_naming_the_missing_ones()
    {
        var ex = Assert.Throws<InvalidDataException>(() => MutualTlsClient.Resolve(("--tls-cert", "c.pem"), ("--tls-key", null), ("--tls-ca", null)));
        Assert.Contains("--tls-key, --tls-ca are not set", ex.Message, StringComparison.Ordinal);
    }
}
