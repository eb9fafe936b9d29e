namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>Runs podman as a child process and returns its exit code and output.</summary>
internal static class Podman
{
    public static Task<CommandResult> RunAsync(params string[] args) => ChildProcess.RunAsync("podman", args, TimeSpan.FromMinutes(5));

    /// <summary>Runs podman and throws, with its output, unless it exits 0.</summary>
    public static async Task<string> CheckAsync(params string[] args)
    {
        var result = await RunAsync(args);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"podman {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
    }
}
