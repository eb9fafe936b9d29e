using PrunerCluster.Grains.Simulation;

namespace PrunerCluster.Grains.Tests.Simulation;

/// <summary>The discrete-event simulation of the real scheduler and dispatch classes on small clusters.</summary>
[Trait("Category", "Unit")]
public sealed class ClusterSimulationTests
{
    private static readonly SimulationConfig Small = new()
    {
        Silos = 8,
        SlotsPerSilo = 4,
        Experiments = 4,
        Weights = [1, 1, 2, 4],
        Seconds = 200,
        SiloMtbfSeconds = 0,
        Seed = 3,
    };

    [Fact]
    public void Slots_stay_busy_when_every_experiment_has_plenty_of_work()
    {
        var report = new ClusterSimulation(Small).Run();
        Assert.True(report.Utilization > 0.99, $"utilization {report.Utilization}");
        Assert.Equal(report.Utilization, report.UsefulUtilization);
        Assert.True(report.Completed > 1000, $"completed {report.Completed}");
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.SiloFailures);
    }

    [Fact]
    public void With_fixed_evaluation_times_each_experiment_holds_exactly_its_weighted_share()
    {
        var report = new ClusterSimulation(Small with { LogNormalSigma = 0 }).Run();
        Assert.Equal([0.125, 0.125, 0.25, 0.5], report.Shares.Select(s => Math.Round(s.Share, 4)));
        Assert.True(report.MaxDeviation < 1e-3, $"max deviation {report.MaxDeviation}");
    }

    [Fact]
    public void A_cap_bounds_an_experiment_and_its_entitlement()
    {
        var report = new ClusterSimulation(Small with { LogNormalSigma = 0, Cap = 10 }).Run();
        Assert.Equal([0.1875, 0.1875, 0.3125, 0.3125], report.Shares.Select(s => Math.Round(s.Entitled, 4)));
        Assert.True(report.MaxDeviation < 1e-3, $"max deviation {report.MaxDeviation}");
    }

    [Fact]
    public void Work_on_a_failed_silo_is_reissued_and_none_is_lost_or_booked_twice()
    {
        var report = new ClusterSimulation(Small with { SiloMtbfSeconds = 100, SiloDowntimeSeconds = 20, FailureDetectionSeconds = 5 }).Run();
        Assert.True(report.SiloFailures >= 5, $"failures {report.SiloFailures}");
        Assert.True(report.Reissued >= report.SiloFailures, $"re-issued {report.Reissued} after {report.SiloFailures} failures");
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicates);
        Assert.True(report.UsefulUtilization < report.Utilization - 0.001, $"useful {report.UsefulUtilization} of {report.Utilization}: work lost with the failed silos counts as held, not useful");
    }

    [Fact]
    public void One_seed_gives_one_run()
    {
        var config = Small with { SiloMtbfSeconds = 100, SiloDowntimeSeconds = 20, ParetoShape = 1.5 };
        var first = new ClusterSimulation(config).Run();
        var second = new ClusterSimulation(config).Run();
        Assert.Equal(first.Completed, second.Completed);
        Assert.Equal(first.Reissued, second.Reissued);
        Assert.Equal(first.Shares.Select(s => s.SlotSeconds), second.Shares.Select(s => s.SlotSeconds));
        Assert.NotEqual(first.Completed, new ClusterSimulation(config with { Seed = 4 }).Run().Completed);
    }
}
