using System.Net;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// The chart's httpGet probes, called from the host on the pod's IP (podman 4.3 turns them into curl health checks run
/// by systemd timers, which neither our images nor these machines have). Port: the chart's <c>http</c> port, 8080.
/// </summary>
internal sealed class PodProbes(string network) : IDisposable
{
    private const int HttpPort = 8080;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The pod's address on the podman network (its infra container holds the pod's network namespace).</summary>
    public async Task<string> AddressAsync(string pod)
    {
        var infra = (await Podman.CheckAsync("pod", "inspect", "--format", "{{.InfraContainerID}}", pod)).Trim();
        var address = (await Podman.CheckAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", infra)).Trim();
        return IPAddress.TryParse(address, out _) ? address : throw new InvalidOperationException($"pod {pod} has no address on network {network}: '{address}'");
    }

    public async Task<int> StatusAsync(string pod, string path)
    {
        using var response = await http.GetAsync(await UrlAsync(pod, path));
        return (int)response.StatusCode;
    }

    public async Task<string> GetAsync(string pod, string path)
    {
        using var response = await http.GetAsync(await UrlAsync(pod, path));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Polls the readiness path until it answers 200, as the chart's readinessProbe would.</summary>
    public async Task WaitReadyAsync(string pod, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await StatusAsync(pod, SiloHttpOptions.ReadinessPath);
                if (status == 200)
                {
                    return;
                }

                last = $"HTTP {status}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                last = ex.Message;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        throw new TimeoutException($"{pod}: {SiloHttpOptions.ReadinessPath} not ready within {timeout.TotalSeconds:F0} s (last: {last})");
    }

    public void Dispose() => http.Dispose();

    private async Task<Uri> UrlAsync(string pod, string path) => new($"http://{await AddressAsync(pod)}:{HttpPort}{path}");
}
