using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Commands;

namespace PrunerCluster.Client.Tests;

/// <summary>Runs the thin client's command tree in-process with captured stdout and stderr.</summary>
internal static class ClientCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, IsTerminal: false);
        var root = CliApp.CreateRoot(ClientCommands.Description, ClientCommands.Create(console));
        var code = await CliApp.InvokeAsync(root, args, console, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
