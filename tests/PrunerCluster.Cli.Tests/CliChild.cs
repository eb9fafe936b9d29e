using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The <c>prunercluster</c> CLI as a running child process (stdout/stderr not a terminal): lines are collected as they come,
/// a test awaits a line, sends a real POSIX signal through <c>kill</c> and awaits the exit.
/// </summary>
internal sealed class CliChild : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _lineArrived = new(0);

    private CliChild(Process process) => _process = process;

    public static CliChild Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = CliProcess.StartInfo(args);
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new CliChild(process);
        process.OutputDataReceived += (_, e) => child.Record(child._stdout, child._stdoutClosed, e.Data);
        process.ErrorDataReceived += (_, e) => child.Record(child._stderr, child._stderrClosed, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {info.FileName} {string.Join(' ', info.ArgumentList)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public string Stdout => string.Join(Environment.NewLine, _stdout);

    public string Stderr => string.Join(Environment.NewLine, _stderr);

    /// <summary>Waits until a stdout line matches; fails with everything printed so far when the process exits first or the time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_stdout.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_stdoutClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"the CLI ended before {what}:{Environment.NewLine}{Stdout}{Environment.NewLine}{Stderr}");
            }

            try
            {
                await _lineArrived.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {timeout}:{Environment.NewLine}{Stdout}{Environment.NewLine}{Stderr}");
            }
        }
    }

    /// <summary>Sends SIGTERM, SIGHUP or SIGINT (the name without SIG) with the system's kill command.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {_process.Id} exited {kill.ExitCode}");
        }
    }

    /// <summary>The exit code, once the process has exited and its output has been read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the CLI did not exit within {timeout}:{Environment.NewLine}{Stdout}{Environment.NewLine}{Stderr}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Record(ConcurrentQueue<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            lines.Enqueue(line);
        }

        _lineArrived.Release();
    }
}
