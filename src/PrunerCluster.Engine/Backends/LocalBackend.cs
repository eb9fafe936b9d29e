using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Engine.Storage;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Engine.Backends;

/// <summary>The TorchSharp engine in this CLI process, for verbs that rebuild an experiment's models here ('export', 'recover').</summary>
internal static class LocalBackend
{
    /// <summary>
    /// An engine on this machine's caches; with <paramref name="postgres"/> (an experiment on a postgres-mode cluster) its
    /// weights and baseline are read from PostgreSQL through the local artifact cache.
    /// </summary>
    public static TorchSharpEvaluationBackend Create(string? postgres)
    {
        var options = new TorchSharpBackendOptions();
        IArtifactStore? store = postgres is null
            ? null
            : new CachedArtifactStore(new LocalArtifactStore(options.ResolvedArtifactDirectory), new PostgresArtifactStore(postgres), NullLogger<CachedArtifactStore>.Instance);
        return new TorchSharpEvaluationBackend(Options.Create(options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance, store);
    }
}
