using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrunerCluster.Client.Tests.Browser;

/// <summary>
/// Debian's headless Chromium driven through the DevTools protocol (a small CDP client over a WebSocket): console errors,
/// uncaught exceptions and error log entries are collected from protocol events, not from Chromium's noisy stderr.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<JsonObject> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receive = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string Executable() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Chromium is not installed: run 'bash cluster/scripts/install-prerequisites.sh' (installs Debian's chromium).");

    public static async Task<HeadlessChromium> StartAsync(TimeSpan timeout)
    {
        var port = FreePort();
        var profile = Path.Combine(Path.GetTempPath(), "prunercluster-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        var info = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--window-size=1280,1600",
            $"--user-data-dir={profile}", $"--remote-debugging-port={port}", "about:blank",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync(port, timeout);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Loads <paramref name="url"/> and waits for its load event plus a short settle time for late errors.</summary>
    public async Task NavigateAsync(string url, TimeSpan timeout)
    {
        _events.Clear();
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        var deadline = DateTime.UtcNow + timeout;
        while (!_events.Any(e => (string?)e["method"] == "Page.loadEventFired"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not finish loading within {timeout}");
            }

            await Task.Delay(50);
        }

        await Task.Delay(500);
    }

    /// <summary>Console errors, uncaught exceptions and error-level log entries (e.g. failed resource loads) seen so far.</summary>
    public IReadOnlyList<string> Errors() =>
    [
        .. _events.Select(e => ((string?)e["method"], e["params"] as JsonObject)).Select(x => x switch
        {
            ("Runtime.exceptionThrown", { } p) => "exception: " + p["exceptionDetails"]?.ToJsonString(),
            ("Runtime.consoleAPICalled", { } p) when (string?)p["type"] is "error" or "assert" => "console." + (string?)p["type"] + ": " + p["args"]?.ToJsonString(),
            ("Log.entryAdded", { } p) when (string?)p["entry"]?["level"] == "error" => "log: " + (string?)p["entry"]?["text"] + " " + (string?)p["entry"]?["url"],
            _ => null,
        }).OfType<string>(),
    ];

    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        return result["result"]?["value"];
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String((string)result["data"]!);
    }

    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        var response = await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (response["error"] is { } error)
        {
            throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
        }

        return response["result"] as JsonObject ?? new JsonObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone.
        }

        try
        {
            await _receive;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The socket closes with the browser.
        }

        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still hold a file for a moment; a leftover temp profile is harmless.
        }
    }

    private async Task ConnectAsync(int port, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        string? socketUrl = null;
        while (socketUrl is null)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"chromium exited with code {_process.ExitCode} before DevTools answered");
            }

            try
            {
                var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list")))!.AsArray();
                socketUrl = targets.Where(t => (string?)t!["type"] == "page").Select(t => (string?)t!["webSocketDebuggerUrl"]).FirstOrDefault(u => u is not null);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start on a loaded machine.
            }

            if (socketUrl is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"chromium's DevTools endpoint on port {port} offered no page within {timeout}");
                }

                await Task.Delay(200);
            }
        }

        await _socket.ConnectAsync(new Uri(socketUrl), _stop.Token);
        _receive = Task.Run(ReceiveLoopAsync);
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Page.enable");
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var json = JsonNode.Parse(message.ToArray())!.AsObject();
            message.SetLength(0);
            if (json["id"] is { } id && _pending.TryRemove((int)id, out var reply))
            {
                reply.TrySetResult(json);
            }
            else if (json["method"] is not null)
            {
                _events.Enqueue(json);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
