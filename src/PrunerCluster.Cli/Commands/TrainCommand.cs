using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;
using PrunerCluster.Engine.Baselines;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster train &lt;spec&gt;</c>: trains (or finds in the cache) the baseline checkpoint a spec's search starts
/// from, the same one 'search' and the silos use, and prints where it is and how accurate it is.
/// </summary>
public static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = new Argument<string>("spec") { Description = "Experiment spec whose model, data set and baseline settings to train" };
        var cache = new Option<string?>("--cache") { Description = "Checkpoint cache folder (default: the spec's baseline.cacheDirectory, else ~/.cache/prunercluster/checkpoints)", HelpName = "DIR" };
        var epochs = BaselineEpochsOption.Create();
        var command = new Command("train", "Train the baseline checkpoint of a spec (cached by content: a second run returns at once)") { spec, cache, epochs };
        command.SetAction(async (parse, ct) =>
        {
            var experiment = BaselineEpochsOption.Apply(SpecFile.LoadValid(parse.GetValue(spec)!), parse.GetValue(epochs));
            var preparation = new BaselinePreparation();
            if (preparation.Validate(experiment) is { Count: > 0 } errors)
            {
                throw SpecFile.Rejected(parse.GetValue(spec)!, errors);
            }

            // The data set however the spec gives it (by name, or by format and folder), resolved as the search resolves it.
            var (settings, directory) = preparation.Plan(experiment, parse.GetValue(cache));
            console.Out.WriteLine($"training {settings.Model} on {settings.Dataset} for {settings.Epochs} epoch(s), seed {settings.Seed} (cache: {directory})");
            var checkpoint = await BaselinePreparation.TrainOrLoadAsync(settings, directory, line => console.Out.WriteLine("  " + line), ct).ConfigureAwait(false);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: {checkpoint.Path}"));
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  test accuracy {checkpoint.TestAccuracy:P2}, validation accuracy {checkpoint.ValidationAccuracy:P2}, content hash {checkpoint.ContentHash[..12]}"));
            console.Out.WriteLine($"searches with this spec start from it; set baseline.checkpointPath to \"{checkpoint.Path}\" to pin it");
            return ExitCodes.Ok;
        });
        return command;
    }
}
