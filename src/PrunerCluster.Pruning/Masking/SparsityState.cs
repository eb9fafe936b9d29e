using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Masking;

/// <summary>Keep-masks of magnitude-pruned weights; <see cref="Reapply"/> after every optimizer step.</summary>
public sealed class SparsityState : IDisposable
{
    private readonly List<(Tensor Weight, Tensor Keep)> entries = [];

    public int Layers => entries.Count;

    internal void Add(Tensor weight, Tensor keep) => entries.Add((weight, keep));

    public void Reapply()
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        foreach (var (weight, keep) in entries)
        {
            weight.mul_(keep);
        }
    }

    public void Dispose()
    {
        foreach (var (_, keep) in entries)
        {
            keep.Dispose();
        }

        entries.Clear();
    }
}
