using Xunit.Abstractions;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// Removes what a kube play run created, whatever happened: the pods (<c>kube play --down</c>), the secrets, the
/// ConfigMaps' volumes, the network and the work folder; also before the run, for leftovers of an interrupted one.
/// </summary>
internal sealed class KubePlayTeardown(string file, KubePlayManifest manifest, string network, DirectoryInfo work, ITestOutputHelper output) : IAsyncDisposable
{
    public async Task RemoveLeftoversAsync()
    {
        await RemovePodsSecretsAndVolumesAsync();
        if ((await Podman.RunAsync("network", "exists", network)).ExitCode == 0)
        {
            await Podman.RunAsync("network", "rm", "-f", network);
        }
    }

    /// <summary>The last lines of every pod's containers, for a failure's report.</summary>
    public async Task DumpLogsAsync(IEnumerable<string> pods)
    {
        var containers = await Podman.RunAsync("ps", "-a", "--format", "{{.Names}} {{.Status}}");
        output.WriteLine(containers.Stdout);
        foreach (var name in containers.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]))
        {
            if (pods.Any(p => name.StartsWith(p + "-", StringComparison.Ordinal)))
            {
                var logs = await Podman.RunAsync("logs", "--tail", "40", name);
                output.WriteLine($"--- {name} ---{Environment.NewLine}{logs.Stdout}{logs.Stderr}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RemoveLeftoversAsync();
        work.Delete(recursive: true);
    }

    private async Task RemovePodsSecretsAndVolumesAsync()
    {
        var down = await Podman.RunAsync("kube", "play", "--down", file);
        if (down.ExitCode != 0 && !down.Stderr.Contains("no such pod", StringComparison.OrdinalIgnoreCase))
        {
            output.WriteLine($"kube play --down: {down.Stderr.Trim()}");
        }

        foreach (var secret in manifest.Secrets.Keys)
        {
            await Podman.RunAsync("secret", "rm", secret);
        }

        foreach (var volume in manifest.ConfigMaps)
        {
            await Podman.RunAsync("volume", "rm", "-f", volume);
        }
    }
}
