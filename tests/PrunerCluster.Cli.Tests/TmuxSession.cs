using System.Diagnostics;
using System.Globalization;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// A command running in a real terminal: a detached tmux session on its own server socket, so the test can read the
/// screen (capture-pane), press keys (send-keys) and read the command's exit code from a file it writes on exit.
/// </summary>
internal sealed class TmuxSession : IAsyncDisposable
{
    private readonly string _socket = "prunercluster-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _exitFile;

    private TmuxSession(string exitFile) => _exitFile = exitFile;

    public static async Task<TmuxSession> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, IEnumerable<string> command)
    {
        var exitFile = Path.Combine(workingDirectory, "exit-code-" + Guid.NewGuid().ToString("N")[..8]);
        var session = new TmuxSession(exitFile);
        var exports = string.Concat(environment.Select(kv => $"export {kv.Key}={Quote(kv.Value)}; "));
        var script = $"cd {Quote(workingDirectory)}; {exports}{string.Join(' ', command.Select(Quote))}; echo $? > {Quote(exitFile)}; sleep 600";
        await session.TmuxAsync("new-session", "-d", "-s", "main", "-x", "150", "-y", "50", "bash", "-c", script);
        return session;
    }

    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-t", "main");

    public Task PressCtrlCAsync() => TmuxAsync("send-keys", "-t", "main", "C-c");

    /// <summary>Closes the terminal (the tmux server goes away): the command gets SIGHUP, as when a terminal window or SSH session closes.</summary>
    public Task HangUpAsync() => TmuxAsync("kill-server");

    /// <summary>The command's exit code once it has exited, else null.</summary>
    public int? ExitCode() =>
        File.Exists(_exitFile) && int.TryParse(File.ReadAllText(_exitFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;

    public async Task<string> WaitForScreenAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var screen = await ScreenAsync();
            if (condition(screen))
            {
                return screen;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the terminal never showed {what} within {timeout}; last screen:{Environment.NewLine}{screen}");
            }

            await Task.Delay(200);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (ExitCode() is { } code)
            {
                return code;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the command did not exit within {timeout}; screen:{Environment.NewLine}{await ScreenAsync()}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // The server is already gone.
        }

        File.Delete(_exitFile);
    }

    private async Task<string> TmuxAsync(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add("/dev/null");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("TMUX");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start (install it with cluster/scripts/install-prerequisites.sh)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {await stderr}");
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
