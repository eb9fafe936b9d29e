using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Tests;

/// <summary>'recover' refuses, before any work, what it cannot recover; each refusal names the experiment and the way out.</summary>
[Trait("Category", "Unit")]
public sealed class RecoverCommandTests
{
    private static readonly ParetoEntry Member = new() { MaskText = "1", MaskHash = "abcdef0123456789", IndividualKey = "k" };

    private static ExperimentResults Results(string backend = "torchsharp", ExperimentState state = ExperimentState.Completed, bool empty = false) => new()
    {
        ExperimentId = "exp-1",
        Spec = new ExperimentSpec { Name = "exp", Backend = backend },
        Status = new ExperimentStatus { ExperimentId = "exp-1", State = state },
        Pareto = new ParetoSet { ExperimentId = "exp-1", Entries = empty ? [] : [Member] },
    };

    private static async Task<CliException> Refused(ExperimentResults results, string? steps = null)
    {
        using var output = new StringWriter();
        var ex = await Assert.ThrowsAsync<CliException>(() => RecoverCommand.RunAsync(results, Path.Combine(Path.GetTempPath(), "never-written-" + Guid.NewGuid().ToString("N")), steps, null, true, null, output, CancellationToken.None));
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        return ex;
    }

    [Fact]
    public async Task A_synthetic_experiment_has_no_models_to_recover()
    {
        var ex = await Refused(Results(backend: "synthetic"));
        Assert.Contains("backend 'synthetic'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("torchsharp", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExperimentState.Running)]
    [InlineData(ExperimentState.Paused)]
    public async Task An_unfinished_experiment_is_refused_with_the_watch_command(ExperimentState state)
    {
        var ex = await Refused(Results(state: state));
        Assert.Contains("prunercluster watch exp-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_front_and_zero_steps_are_refused()
    {
        Assert.Contains("empty Pareto set", (await Refused(Results(empty: true))).Message, StringComparison.Ordinal);
        Assert.Contains("--final-recovery 0 leaves nothing to do", (await Refused(Results(), steps: "0")).Message, StringComparison.Ordinal);
        Assert.Contains("expects a number of fine-tune steps", (await Refused(Results(), steps: "many")).Message, StringComparison.Ordinal);
    }
}
