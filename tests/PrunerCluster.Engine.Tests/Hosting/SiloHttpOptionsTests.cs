using System.Net;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests.Hosting;

[Trait("Category", "Unit")]
public sealed class SiloHttpOptionsTests
{
    [Fact]
    public void The_unauthenticated_http_endpoint_listens_on_loopback_unless_told_otherwise()
    {
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(new SiloHttpOptions().BindAddress)));
    }

    [Theory]
    [InlineData("Dockerfile.cpu")]
    [InlineData("Dockerfile.cuda")]
    public void The_images_open_it_to_the_container_network(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(PrunerCluster.Testing.TestPaths.RepoRoot, "cluster", "docker", dockerfile));
        Assert.Contains("PrunerCluster__Http__BindAddress=0.0.0.0", text, StringComparison.Ordinal);
    }
}
