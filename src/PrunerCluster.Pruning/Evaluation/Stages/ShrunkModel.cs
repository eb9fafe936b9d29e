using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>The pruned model a mask makes of the source, its sparsity masks (sparsity modes) and the units it kept per group.</summary>
internal sealed record ShrunkModel(ZooModel Model, SparsityState? Sparsity, IReadOnlyDictionary<string, int[]> Kept);
