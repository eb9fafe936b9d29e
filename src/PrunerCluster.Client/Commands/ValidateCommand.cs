using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster validate &lt;spec&gt;</c>: reports every problem of a spec at once, without a cluster.</summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = new Argument<string>("spec") { Description = "Experiment spec file (JSON or YAML)" };
        var command = new Command("validate", "Check a spec file and report every problem (field, value, what is expected); exit 0 when valid, 2 otherwise") { spec };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(spec)!;
            var experiment = SpecFile.LoadValid(path);
            console.Out.WriteLine($"{path}: valid ({experiment.Model} on {experiment.Dataset}, {experiment.Objectives.Count} objective(s))");
            return ExitCodes.Ok;
        });
        return command;
    }
}
