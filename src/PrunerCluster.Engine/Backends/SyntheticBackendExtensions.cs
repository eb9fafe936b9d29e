using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Engine.Backends;

/// <summary>Registration of the synthetic backend beside the real one.</summary>
public static class SyntheticBackendExtensions
{
    /// <summary>Registers the deterministic synthetic backend ("synthetic") used by tests, benchmarks and demos.</summary>
    public static ISiloBuilder AddSyntheticEvaluationBackend(this ISiloBuilder builder) =>
        builder.AddEvaluationBackend<SyntheticEvaluationBackend>();
}
