using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace PrunerCluster.Testing;

/// <summary>
/// A private PostgreSQL server for tests and benchmarks: Debian's binaries (/usr/lib/postgresql/N/bin, installed by
/// cluster/scripts/install-prerequisites.sh), a fresh data directory in a temp folder, a free loopback port, no system
/// service. initdb refuses root, so as root every server command runs as the 'postgres' user through runuser.
/// Dispose stops the server and deletes the folder.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly bool _durable;
    private readonly string _extraOptions;

    private PrivatePostgres(string bin, string directory, int port, bool durable, string extraOptions)
    {
        _bin = bin;
        Directory = directory;
        Port = port;
        _durable = durable;
        _extraOptions = extraOptions;
    }

    public string Directory { get; }

    public int Port { get; }

    public bool IsRunning { get; private set; }

    private string DataDirectory => Path.Combine(Directory, "data");

    private string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>Connection string of database <paramref name="database"/> (user postgres, trust on loopback).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true, Timeout = 5 }.ConnectionString;

    /// <summary>
    /// Starts a server. <paramref name="durable"/> keeps fsync on (benchmarks); tests turn it off for speed.
    /// <paramref name="extraOptions"/> are more server options (<c>-c name=value ...</c>), after the defaults so they win.
    /// </summary>
    public static async Task<PrivatePostgres> StartAsync(bool durable = false, string extraOptions = "")
    {
        var bin = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), "prunercluster-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new PrivatePostgres(bin, directory, FreePort(), durable, extraOptions);
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres:postgres", directory]).ConfigureAwait(false);
            }

            await server.RunServerToolAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]).ConfigureAwait(false);
            await server.StartServerAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "db_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync().ConfigureAwait(false);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server as an outage would (immediate shutdown: open connections break).</summary>
    public async Task StopServerAsync()
    {
        await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    public async Task StartServerAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c max_connections=200{(_durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")}{(_extraOptions.Length > 0 ? " " + _extraOptions : "")}");
        await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]).ConfigureAwait(false);
        IsRunning = true;
    }

    /// <summary>The postmaster's process id (first line of postmaster.pid), or null when the server is not running.</summary>
    public int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string ServerLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (IsRunning)
        {
            try
            {
                await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }

            IsRunning = false;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunServerToolAsync(string tool, IReadOnlyList<string> args)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:")
                .AppendLine().Append(await stdout.ConfigureAwait(false)).AppendLine().Append(await stderr.ConfigureAwait(false)).ToString());
        }
    }

    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("PRUNERCLUSTER_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        const string root = "/usr/lib/postgresql";
        var candidates = System.IO.Directory.Exists(root)
            ? System.IO.Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(c => File.Exists(Path.Combine(c.Dir, "initdb")))
                .OrderByDescending(c => c.Version)
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0].Dir
            : throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (set PRUNERCLUSTER_PG_BIN to override). Install them with: bash cluster/scripts/install-prerequisites.sh");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
