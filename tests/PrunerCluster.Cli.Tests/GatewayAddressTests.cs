using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Cli.Tests;

/// <summary><c>--gateway</c> takes HOST:PORT as well as a bare port: a client reaches a real silo through each form.</summary>
[Trait("Category", "Cluster")]
public sealed class GatewayAddressTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_connects_through_host_and_port_as_well_as_through_a_bare_port()
    {
        using var temp = new TempDirectory();
        var spec = temp.File("gateway.json", """
            {
              "name": "gateway-forms",
              "backend": "synthetic",
              "model": "vgg",
              "dataset": "synthetic",
              "search": { "populationSize": 4, "seed": 3 },
              "budget": { "maxEvaluations": 4 },
              "synthetic": { "duration": "00:00:00.010", "segmentBits": [8, 8, 16], "salt": "gateway-forms" }
            }
            """);
        await using var cluster = await SiloProcesses.StartAsync(count: 1, slotsPerSilo: 1, timeout: TimeSpan.FromSeconds(120));
        var port = cluster.Silos[0].GatewayPort.ToString(CultureInfo.InvariantCulture);
        string[] ids = ["--cluster-id", cluster.ClusterId, "--service-id", cluster.ServiceId];
        try
        {
            var submitted = await CliProcess.InProcessAsync(["submit", spec, "--gateway", $"127.0.0.1:{port}", .. ids]);
            Assert.True(submitted.ExitCode == ExitCodes.Ok, submitted.Stderr);
            var id = submitted.Stdout.Trim();
            foreach (var gateway in new[] { port, $"localhost:{port}", $"127.0.0.1:{port}" })
            {
                var (code, stdout, stderr) = await CliProcess.InProcessAsync(["list", "--gateway", gateway, .. ids]);
                Assert.True(code == ExitCodes.Ok, $"--gateway {gateway}: exit {code}: {stderr}");
                Assert.Contains(id, stdout, StringComparison.Ordinal);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }
}
