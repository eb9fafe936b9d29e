using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests.Output;

[Trait("Category", "Unit")]
public sealed class ExperimentListLineTests
{
    private static readonly DateTimeOffset Submitted = new(2026, 12, 7, 17, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("name:alice", "alice")]
    [InlineData("certificate:9D6CFE9459C9E2CBF19C31F46AAF1A22", "cert:9D6CFE9459C9")]
    [InlineData("certificate:AB12", "cert:AB12")]
    [InlineData("anonymous", "anonymous")]
    [InlineData(null, "-")]
    public void The_plain_list_names_who_submitted_each_experiment(string? client, string shown)
    {
        var line = ExperimentListLine.Format(new ExperimentSummary { ExperimentId = "exp-1", Name = "vgg", SubmittedAt = Submitted, Client = client });

        Assert.StartsWith("exp-1  vgg", line, StringComparison.Ordinal);
        Assert.Contains("2026-12-07 17:30:00Z  " + shown.PadRight(18) + " -", line, StringComparison.Ordinal);
    }
}
