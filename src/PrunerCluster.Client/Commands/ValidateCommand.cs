using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Commands;

/// <summary>
/// <c>prunercluster validate &lt;spec&gt;</c>: reports every problem of a spec at once, without a cluster. A host that can
/// evaluate models (the full CLI) passes <c>localChecks</c>: the checks a silo makes at submit time, run on this machine
/// after the structural ones (null for a spec they do not apply to); <c>--structure-only</c> then skips them.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console, Func<ExperimentSpec, IReadOnlyList<SpecError>?>? localChecks = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var spec = new Argument<string>("spec") { Description = "Experiment spec file (JSON or YAML)" };
        var command = new Command("validate", "Check a spec file and report every problem (field, value, what is expected); exit 0 when valid, 2 otherwise") { spec };
        var structureOnly = new Option<bool>("--structure-only") { Description = "Check only the spec itself, not its data set and model files on this machine (for paths that exist only on a cluster's silos)" };
        if (localChecks is not null)
        {
            command.Description = "Check a spec file and, for the torchsharp backend, its data set and model files on this machine; report every problem (field, value, what is expected); exit 0 when valid, 2 otherwise";
            command.Options.Add(structureOnly);
        }

        command.SetAction(parse =>
        {
            var path = parse.GetValue(spec)!;
            var (experiment, lines) = SpecFile.Read(path);
            var errors = SpecValidator.Validate(experiment);
            var local = errors.Count == 0 && localChecks is not null && !parse.GetValue(structureOnly) ? localChecks(experiment) : null;
            if (local is not null)
            {
                errors = local;
            }

            if (errors.Count > 0)
            {
                throw SpecFile.Rejected(path, errors, lines);
            }

            var scope = local is null ? "" : "; data set and model checked on this machine";
            console.Out.WriteLine($"{path}: valid ({experiment.Model} on {experiment.Dataset}, {experiment.Objectives.Count} objective(s){scope})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
