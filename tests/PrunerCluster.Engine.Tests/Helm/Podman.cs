using System.Diagnostics;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>Runs podman (or another command) as a child process and returns its exit code and output.</summary>
internal static class Podman
{
    public static Task<CommandResult> RunAsync(params string[] args) => RunCommandAsync("podman", args, TimeSpan.FromMinutes(5));

    /// <summary>Runs podman and throws, with its output, unless it exits 0.</summary>
    public static async Task<string> CheckAsync(params string[] args)
    {
        var result = await RunAsync(args);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"podman {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
    }

    public static async Task<CommandResult> RunCommandAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} ran past {timeout.TotalSeconds:F0} s");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
