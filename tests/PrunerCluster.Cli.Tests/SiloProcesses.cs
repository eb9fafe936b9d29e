using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// Real silo processes of the built src/PrunerCluster.Silo (prunercluster-silo.dll lands in this test's output through
/// the Cli's project reference) on free loopback ports, localhost clustering, the first one primary. Dispose kills them.
/// </summary>
internal sealed class SiloProcesses : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private int _slotsPerSilo;
    private Func<SiloProcess.Ports, IEnumerable<string>>? _extraArgs;

    private SiloProcesses(string clusterId) => ClusterId = clusterId;

    /// <summary>Set in postgres mode: the silos keep membership, state and reminders there; there is no primary silo.</summary>
    public string? Postgres { get; private set; }

    /// <summary>
    /// Failure detection tuned for tests (a killed silo is declared dead within seconds), passed to every postgres-mode silo.
    /// </summary>
    public static readonly IReadOnlyList<string> FastMembership =
    [
        "--PrunerCluster:Cluster:Membership:ProbeTimeout=00:00:01",
        "--PrunerCluster:Cluster:Membership:NumMissedProbesLimit=2",
        "--PrunerCluster:Cluster:Membership:TableRefreshTimeout=00:00:02",
        "--PrunerCluster:Cluster:Membership:IAmAliveTablePublishTimeout=00:00:05",
        "--PrunerCluster:CoordinatorTick=00:00:00.250",
        "--PrunerCluster:EvaluationLease=00:00:05",
        "--PrunerCluster:SchedulerForgetAfter=00:00:10",
    ];

    /// <summary>Silos in postgres mode (the first applies the schema), started one after the other.</summary>
    public static async Task<SiloProcesses> StartPostgresAsync(int count, int slotsPerSilo, string connectionString, TimeSpan timeout, Func<SiloProcess.Ports, IEnumerable<string>>? extraArgs = null)
    {
        var cluster = new SiloProcesses("pg-" + Guid.NewGuid().ToString("N")[..10]) { Postgres = connectionString, _slotsPerSilo = slotsPerSilo, _extraArgs = extraArgs };
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddSiloAsync(timeout).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts one more postgres-mode silo (a replacement or an addition) and waits for its gateway.</summary>
    public async Task<SiloProcess> AddSiloAsync(TimeSpan timeout)
    {
        var ports = FreePorts.Take(3);
        var own = new SiloProcess.Ports(_silos.Count, ports[0], ports[1], ports[2]);
        var silo = SiloProcess.Start(own, ports[0], _slotsPerSilo, ClusterId, ServiceId, _extraArgs?.Invoke(own) ?? [], Postgres);
        _silos.Add(silo);
        await silo.WaitForGatewayAsync(timeout).ConfigureAwait(false);
        return silo;
    }

    public IEnumerable<SiloProcess> Alive => _silos.Where(s => !s.HasExited);

    public string ClusterId { get; }

    public string ServiceId => ClusterId + "-service";

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public string Gateways => string.Join(',', _silos.Select(s => s.GatewayPort.ToString(CultureInfo.InvariantCulture)));

    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "prunercluster-silo.dll");

    /// <summary>Starts the silos one after the other (a secondary joins through the primary's membership) and waits for every gateway to accept.</summary>
    public static async Task<SiloProcesses> StartAsync(int count, int slotsPerSilo, TimeSpan timeout, Func<SiloProcess.Ports, IEnumerable<string>>? extraArgs = null)
    {
        if (!File.Exists(SiloDll))
        {
            throw new FileNotFoundException($"The silo build output '{SiloDll}' is missing; build tests/PrunerCluster.Cli.Tests (it references src/PrunerCluster.Cli, which references src/PrunerCluster.Silo).", SiloDll);
        }

        var cluster = new SiloProcesses("test-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var ports = FreePorts.Take(3 * count);
            for (var i = 0; i < count; i++)
            {
                var own = new SiloProcess.Ports(i, ports[3 * i], ports[(3 * i) + 1], ports[(3 * i) + 2]);
                var silo = SiloProcess.Start(own, ports[0], slotsPerSilo, cluster.ClusterId, cluster.ServiceId, extraArgs?.Invoke(own) ?? []);
                cluster._silos.Add(silo);
                await silo.WaitForGatewayAsync(timeout).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string Logs() => string.Join(Environment.NewLine, _silos.Select(s => $"--- silo {s.Index} (silo port {s.SiloPort}, gateway {s.GatewayPort}, exited: {s.HasExited}) ---{Environment.NewLine}{s.Output()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal sealed class SiloProcess : IAsyncDisposable
{
    private const int MaxLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private SiloProcess(Process process, Ports ports)
    {
        _process = process;
        Index = ports.Index;
        SiloPort = ports.SiloPort;
        GatewayPort = ports.GatewayPort;
        HttpPort = ports.HttpPort;
    }

    /// <summary>A silo's ports: silo-to-silo, client gateway, and a free one for its HTTP endpoint (used only when asked for).</summary>
    public sealed record Ports(int Index, int SiloPort, int GatewayPort, int HttpPort);

    public int Index { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public Uri HttpBase => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpPort}"));

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>kill -9: SIGKILL, no shutdown of any kind.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Sends SIGTERM, as Kubernetes does to a pod it stops (Process.Kill sends SIGKILL).</summary>
    public void Terminate() => Signal("TERM");

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

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Orleans silo addresses print as "127.0.0.1:PORT@GENERATION".</summary>
    public bool Owns(string siloAddress) => siloAddress.Contains(string.Create(CultureInfo.InvariantCulture, $":{SiloPort}@"), StringComparison.Ordinal);

    public static SiloProcess Start(Ports ports, int primaryPort, int slots, string clusterId, string serviceId, IEnumerable<string> extraArgs, string? postgres = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            SiloProcesses.SiloDll,
            Arg("PrunerCluster:Cluster:SiloPort", ports.SiloPort),
            Arg("PrunerCluster:Cluster:GatewayPort", ports.GatewayPort),
            Arg("PrunerCluster:Cluster:PrimarySiloPort", primaryPort),
            "--PrunerCluster:Cluster:ClusterId=" + clusterId,
            "--PrunerCluster:Cluster:ServiceId=" + serviceId,
            "--PrunerCluster:Cluster:EnableSyntheticBackend=true",
            "--PrunerCluster:DeviceKind=cpu",
            "--PrunerCluster:DeviceCount=1",
            Arg("PrunerCluster:SlotsPerDevice", slots),
            "--Logging:LogLevel:Default=Warning",
        }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        if (postgres is not null)
        {
            foreach (var arg in (string[])["--PrunerCluster:Cluster:Mode=postgres", "--PrunerCluster:Cluster:AdvertisedAddress=127.0.0.1", "--PrunerCluster:Postgres:InitializeSchema=true", .. SiloProcesses.FastMembership])
            {
                info.ArgumentList.Add(arg);
            }

            // Through the environment, never the command line (visible to every user in the process list).
            info.Environment["PRUNERCLUSTER_POSTGRES"] = postgres;
        }

        // Keep the silos' libtorch (loaded with the TorchSharp backend) from oversubscribing the shared cores.
        info.Environment["OMP_NUM_THREADS"] = "1";
        info.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process, ports);
        process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {info.FileName} {string.Join(' ', info.ArgumentList)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    public async Task WaitForGatewayAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Index} exited with code {_process.ExitCode} before its gateway {GatewayPort} accepted:{Environment.NewLine}{Output()}");
            }

            using (var client = new TcpClient())
            {
                try
                {
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                    await client.ConnectAsync(IPAddress.Loopback, GatewayPort, attempt.Token).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    // Not listening yet.
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"silo {Index}'s gateway {GatewayPort} did not accept within {timeout}:{Environment.NewLine}{Output()}");
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    public string Output() => string.Join(Environment.NewLine, _lines);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not stopping: nothing more a test can do.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }

    private static string Arg(string key, int value) => string.Create(CultureInfo.InvariantCulture, $"--{key}={value}");

    /// <summary>The dotnet host running this test (the SDK sets DOTNET_HOST_PATH), else 'dotnet' from PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }
}
