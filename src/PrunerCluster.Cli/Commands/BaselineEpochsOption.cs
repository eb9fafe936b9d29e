using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>--baseline-epochs N</c> on <c>train</c> and <c>search</c>: trains the baseline longer (or shorter) than the spec's
/// <c>baseline.epochs</c>. The epochs are part of the baseline's settings hash, so each count has its own cached checkpoint.
/// </summary>
public static class BaselineEpochsOption
{
    public const int MaxEpochs = 200;

    public static Option<string?> Create() => new("--baseline-epochs")
    {
        Description = string.Create(CultureInfo.InvariantCulture, $"Training epochs of the baseline (1..{MaxEpochs}; overrides the spec's baseline.epochs; each count is cached separately)"),
        HelpName = "N",
    };

    public static ExperimentSpec Apply(ExperimentSpec spec, string? epochs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (epochs is null)
        {
            return spec;
        }

        if (!int.TryParse(epochs, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxEpochs)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--baseline-epochs expects a whole number of epochs from 1 to {MaxEpochs}, got '{epochs}'"));
        }

        if (spec.Baseline.CheckpointPath is { } path)
        {
            throw new CliException($"--baseline-epochs trains the baseline, but the spec pins baseline.checkpointPath '{path}'; remove one of the two");
        }

        if (spec.ModelSource?.Onnx is { } onnx)
        {
            throw new CliException($"--baseline-epochs trains the baseline, but the spec imports a trained model from '{onnx}'; remove the option");
        }

        return spec with { Baseline = spec.Baseline with { Epochs = n } };
    }
}
