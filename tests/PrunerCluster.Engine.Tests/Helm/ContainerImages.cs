using Xunit.Abstractions;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// The images the chart's pods run here, built with cluster/scripts/build-images.sh from this checkout when podman does
/// not hold them yet (a clean machine: about 5 minutes on 2 cores), reused when it does. Remove them
/// (<c>podman rmi prunercluster/silo-cpu:TAG prunercluster/postgresql:15</c>) to rebuild.
/// </summary>
internal static class ContainerImages
{
    public const string PostgreSql = "prunercluster/postgresql:15";

    public static string SiloCpu(string tag) => $"prunercluster/silo-cpu:{tag}";

    public static async Task EnsureAsync(string tag, ITestOutputHelper output)
    {
        foreach (var (image, flavor) in new[] { (SiloCpu(tag), "--cpu"), (PostgreSql, "--postgresql") })
        {
            if ((await Podman.RunAsync("image", "exists", image)).ExitCode == 0)
            {
                var revision = await Podman.CheckAsync("image", "inspect", "--format", "{{index .Labels \"org.opencontainers.image.revision\"}}", image);
                output.WriteLine($"reusing {image} (revision {revision.Trim()})");
                continue;
            }

            var started = DateTime.UtcNow;
            var build = await ChildProcess.RunAsync("bash", ["cluster/scripts/build-images.sh", flavor, "--tag", tag], TimeSpan.FromMinutes(25), ChartRenderer.RepoRoot());
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"cluster/scripts/build-images.sh {flavor} exited {build.ExitCode}:{Environment.NewLine}{Tail(build.Stderr)}{Tail(build.Stdout)}");
            }

            var summary = build.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("built ", StringComparison.Ordinal));
            output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F0} s: {summary ?? $"built {image}"}");
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
