using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Silo.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// The full CLI's <c>validate &lt;spec&gt; [--structure-only]</c>: the thin client's checks (structure, names, ranges), then
/// the checks a TorchSharp silo makes when the spec is submitted, run on this machine: the data set's files, image size
/// and class count, the model source (ONNX graph, PyTorch weights) against the data, the baseline checkpoint and the
/// evaluation settings. A spec <c>search</c> would refuse is refused here, every problem at once, before any work.
/// <c>--structure-only</c> skips the local checks for a spec whose paths exist only on a cluster's silos.
/// </summary>
public static class LocalValidateCommand
{
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var spec = new Argument<string>("spec") { Description = "Experiment spec file (JSON or YAML)" };
        var structureOnly = new Option<bool>("--structure-only") { Description = "Check only the spec itself, not its data set and model files on this machine (for paths that exist only on a cluster's silos)" };
        var command = new Command("validate", "Check a spec file and, for the torchsharp backend, its data set and model files on this machine; report every problem (field, value, what is expected); exit 0 when valid, 2 otherwise") { spec, structureOnly };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(spec)!;
            var (experiment, lines) = SpecFile.Read(path);
            var errors = SpecValidator.Validate(experiment);
            var local = !parse.GetValue(structureOnly) && experiment.Backend == TorchSharpEvaluationBackend.BackendName;
            if (errors.Count == 0 && local)
            {
                errors = LocalBackend.Create(postgres: null).Validate(experiment);
            }

            if (errors.Count > 0)
            {
                throw SpecFile.Rejected(path, errors, lines);
            }

            var scope = local ? "; data set and model checked on this machine" : "";
            console.Out.WriteLine($"{path}: valid ({experiment.Model} on {experiment.Dataset}, {experiment.Objectives.Count} objective(s){scope})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
