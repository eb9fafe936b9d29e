using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Cli.Tests;

[Trait("Category", "Slow")]
public sealed class BaselineEpochsOptionTests
{
    [Fact]
    public void The_option_overrides_the_spec_and_bad_values_name_the_option_and_the_value()
    {
        var spec = new ExperimentSpec { Baseline = new BaselineSettings { Epochs = 2, Seed = 3 } };
        Assert.Same(spec, BaselineEpochsOption.Apply(spec, null));
        Assert.Equal(new BaselineSettings { Epochs = 6, Seed = 3 }, BaselineEpochsOption.Apply(spec, "6").Baseline);

        foreach (var bad in new[] { "0", "-1", "two", "2.5", "201" })
        {
            var error = Assert.Throws<CliException>(() => BaselineEpochsOption.Apply(spec, bad)).Message;
            Assert.Contains("--baseline-epochs", error, StringComparison.Ordinal);
            Assert.Contains($"'{bad}'", error, StringComparison.Ordinal);
            Assert.Contains("1 to 200", error, StringComparison.Ordinal);
        }

        var pinned = spec with { Baseline = spec.Baseline with { CheckpointPath = "/models/base.bin" } };
        Assert.Contains("baseline.checkpointPath '/models/base.bin'", Assert.Throws<CliException>(() => BaselineEpochsOption.Apply(pinned, "6")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_epoch_count_has_its_own_checkpoint_cache_key()
    {
        var two = new BaselineTrainingSettings { Model = "vgg", Dataset = "fashion-mnist", Epochs = 2 };
        var six = two with { Epochs = 6 };
        Assert.NotEqual(two.ContentHash, six.ContentHash);
        Assert.Equal(six.ContentHash, (two with { Epochs = 6 }).ContentHash);
    }

    [Fact]
    public void Search_and_train_take_the_option()
    {
        var console = new CliConsole(TextWriter.Null, TextWriter.Null, IsTerminal: false);
        foreach (var command in new[] { SearchCommand.Create(console), TrainCommand.Create(console) })
        {
            Assert.Contains(command.Options, o => o.Name == "--baseline-epochs");
        }
    }
}
