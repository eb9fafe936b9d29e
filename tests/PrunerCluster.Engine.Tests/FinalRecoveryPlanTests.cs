using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Unit")]
public sealed class FinalRecoveryPlanTests
{
    private static EvaluationRequest Request(string experimentId, string? exportName, bool final = true) => new()
    {
        ExperimentId = experimentId,
        CandidateId = -2,
        Spec = new ExperimentSpec(),
        Prepared = new PreparedExperiment { Segments = [], CheckpointHash = "c", SettingsHash = "s" },
        MaskText = "m",
        MaskHash = "h",
        FinalRecovery = final ? new FinalRecoverySettings() : null,
        ExportName = exportName,
    };

    [Fact]
    public void A_recovered_model_goes_under_the_hosts_root_in_the_run_directory_layout()
    {
        var root = Path.Combine(Path.GetTempPath(), "runs");
        Assert.Equal(Path.Combine(root, "exp-1", "models", "member-01-abc"), FinalRecoveryPlan.ExportDirectory(root, Request("exp-1", "member-01-abc")));
    }

    [Fact]
    public void Names_from_the_request_never_leave_the_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "runs");
        var path = FinalRecoveryPlan.ExportDirectory(root, Request("../../etc", "../x/y"))!;
        Assert.StartsWith(root + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(root, "------etc", "models", "---x-y"), path);
    }

    [Fact]
    public void Nothing_is_saved_without_a_root_a_name_or_outside_final_recovery()
    {
        Assert.Null(FinalRecoveryPlan.ExportDirectory(null, Request("e", "member")));
        Assert.Null(FinalRecoveryPlan.ExportDirectory("/tmp/runs", Request("e", null)));
        Assert.Null(FinalRecoveryPlan.ExportDirectory("/tmp/runs", Request("e", "member", final: false)));
    }
}
