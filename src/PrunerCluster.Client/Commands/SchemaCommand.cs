using System.CommandLine;
using System.Text.Json;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster schema</c>: prints the experiment spec's JSON schema (for editors and CI checks).</summary>
public static class SchemaCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("schema", "Print the JSON schema of experiment specs (draft 2020-12); point your editor's \"$schema\" at a saved copy");
        command.SetAction(_ =>
        {
            console.Out.WriteLine(SpecSchema.Create().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        });
        return command;
    }
}
