using System.Globalization;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Masking;

public static class MaskApplier
{
    /// <summary>Validates a mask against the model's groups, repairs or rejects under-filled groups and optionally rounds kept counts up to a hardware-friendly count for <paramref name="roundTo"/> (<see cref="ChannelRounding"/>).</summary>
    public static ResolvedMask Resolve(ZooModel model, PruneMask mask, EmptyGroupPolicy policy = EmptyGroupPolicy.Repair, int roundTo = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(mask.Keep, nameof(mask.Keep));
        if (roundTo is not (0 or 1 or 8 or 16))
        {
            throw new InvalidMaskException($"RoundChannelsTo must be 0, 8 or 16, got {roundTo}.");
        }

        var groups = PruningStructure.Analyze(model);
        var known = groups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = mask.Keep.Keys.Where(k => !known.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidMaskException($"Mask names unknown group(s) {string.Join(", ", unknown)}; model '{model.Architecture.Kind}' has {string.Join(", ", known)}.");
        }

        if (mask.SparsityLevels is { } levels && levels.Keys.FirstOrDefault(k => !known.Contains(k)) is { } badLevel)
        {
            throw new InvalidMaskException($"Sparsity level given for unknown group '{badLevel}'.");
        }

        IReadOnlyDictionary<string, double[]>? scores = null;
        double[] Scores(string group) => (scores ??= Importance.Scores(model, ImportanceCriterion.L1))[group];

        var notes = new List<string>();
        var kept = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (!mask.Keep.TryGetValue(g.Name, out var bits))
            {
                kept[g.Name] = Enumerable.Range(0, g.Units).ToArray();
                continue;
            }

            if (bits is null || bits.Length != g.Units)
            {
                throw new InvalidMaskException($"Group '{g.Name}' has {g.Units} units but the mask gives {bits?.Length ?? 0} bits.");
            }

            var chosen = Enumerable.Range(0, g.Units).Where(i => bits[i]).ToHashSet();
            var minKeep = Math.Clamp(g.MinKeep, 1, g.Units);
            if (chosen.Count < minKeep)
            {
                if (policy == EmptyGroupPolicy.Reject)
                {
                    throw new InvalidMaskException($"Group '{g.Name}' keeps {chosen.Count} of {g.Units} units, fewer than its minimum {minKeep}: removing every unit would disconnect the network.");
                }

                var before = chosen.Count;
                AddMostImportant(chosen, Scores(g.Name), minKeep);
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"repaired {g.Name}: kept {before} < minimum {minKeep}, restored the most important (L1) units"));
            }

            if (!ChannelRounding.IsFriendly(chosen.Count, g.Units, roundTo))
            {
                var before = chosen.Count;
                var target = ChannelRounding.Up(before, g.Units, roundTo);
                AddMostImportant(chosen, Scores(g.Name), target);
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"rounded {g.Name}: kept {before} -> {target} (multiple of {roundTo}, below it a power of two, or all)"));
            }

            kept[g.Name] = chosen.Order().ToArray();
        }

        return new ResolvedMask(kept, notes);
    }

    private static void AddMostImportant(HashSet<int> chosen, double[] scores, int target)
    {
        foreach (var unit in Importance.Order(scores))
        {
            if (chosen.Count >= target)
            {
                break;
            }

            chosen.Add(unit);
        }
    }

    /// <summary>
    /// Builds a physically smaller model holding only the kept units: every bound tensor is sliced with index_select (under no_grad) and copied
    /// into fresh modules of the reduced width, on the source's device.
    /// </summary>
    public static ZooModel Shrink(ZooModel source, IReadOnlyDictionary<string, int[]> kept)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(kept);
        var architecture = source.Architecture.WithWidths(kept.ToDictionary(k => k.Key, k => k.Value.Length, StringComparer.Ordinal));
        var device = DeviceOf(source);
        var target = source.Resized(architecture);
        try
        {
            target.to(device);
            using var scope = torch.NewDisposeScope();
            using var guard = torch.no_grad();
            var src = Tensors(source);
            foreach (var (name, dst) in Tensors(target))
            {
                var t = src[name];
                if (source.Bindings.TryGetValue(name, out var bindings))
                {
                    foreach (var dim in bindings.Select(b => b.Dim).Distinct().ToArray())
                    {
                        if (KeptPositions(bindings.Where(b => b.Dim == dim), (int)t.shape[dim], kept, source.Architecture) is { } positions)
                        {
                            t = t.index_select(dim, torch.tensor(positions, device: device));
                        }
                    }
                }

                dst.copy_(t);
            }

            target.train(source.training);
            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>Same-size copy of <paramref name="source"/> with every tensor slice of removed units zeroed: the masked-but-unshrunk reference.</summary>
    public static ZooModel CloneMasked(ZooModel source, IReadOnlyDictionary<string, int[]> kept)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(kept);
        var clone = Clone(source);
        try
        {
            var device = DeviceOf(clone);
            using var scope = torch.NewDisposeScope();
            using var guard = torch.no_grad();
            var tensors = Tensors(clone);
            foreach (var (name, bindings) in clone.Bindings)
            {
                foreach (var dim in bindings.Select(b => b.Dim).Distinct().ToArray())
                {
                    var size = (int)tensors[name].shape[dim];
                    if (KeptPositions(bindings.Where(b => b.Dim == dim), size, kept, clone.Architecture) is { } positions)
                    {
                        var keep = positions.ToHashSet();
                        var removed = Enumerable.Range(0, size).Where(i => !keep.Contains(i)).Select(i => (long)i).ToArray();
                        tensors[name].index_fill_(dim, torch.tensor(removed, device: device), 0.0);
                    }
                }
            }

            return clone;
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    public static ZooModel Clone(ZooModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var clone = source.Resized(source.Architecture);
        try
        {
            clone.to(DeviceOf(source));
            CopyState(source, clone);
            clone.train(source.training);
            return clone;
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    public static void CopyState(ZooModel source, ZooModel target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (!source.Architecture.SameAs(target.Architecture))
        {
            throw new ArgumentException($"Architectures differ: {source.Architecture.ToCanonicalString()} vs {target.Architecture.ToCanonicalString()}.", nameof(target));
        }

        using var guard = torch.no_grad();
        var src = Tensors(source);
        foreach (var (name, dst) in Tensors(target))
        {
            dst.copy_(src[name]);
        }
    }

    /// <summary>
    /// Zeroes, per layer, the given fraction of smallest-magnitude weights of every conv/linear layer whose output units belong to a group.
    /// The returned state re-applies the zeros after each optimizer step so fine-tuning cannot regrow them.
    /// </summary>
    public static SparsityState ApplySparsity(ZooModel model, IReadOnlyDictionary<string, double> fractionPerGroup)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fractionPerGroup);
        var state = new SparsityState();
        try
        {
            var tensors = Tensors(model);
            using var guard = torch.no_grad();
            foreach (var layer in model.Layers.Where(l => l.Kind != LayerKind.BatchNorm && l.OutGroup is not null))
            {
                if (!fractionPerGroup.TryGetValue(layer.OutGroup!, out var fraction) || fraction <= 0)
                {
                    continue;
                }

                if (fraction >= 1 || double.IsNaN(fraction))
                {
                    throw new InvalidMaskException($"Sparsity fraction for group '{layer.OutGroup}' must be in [0, 1), got {fraction}.");
                }

                var weight = tensors[layer.Name + ".weight"];
                var k = (long)Math.Floor(fraction * weight.numel());
                if (k == 0)
                {
                    continue;
                }

                using var scope = torch.NewDisposeScope();
                var order = weight.detach().abs().flatten().argsort();
                var smallest = order.narrow(0, 0, k);
                var keep = torch.ones(weight.numel(), torch.@bool, weight.device).index_fill_(0, smallest, false).reshape(weight.shape);
                weight.mul_(keep);
                state.Add(weight, keep.MoveToOuterDisposeScope());
            }

            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    internal static Dictionary<string, Tensor> Tensors(ZooModel model)
    {
        var all = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in model.named_parameters())
        {
            all[name] = p;
        }

        foreach (var (name, b) in model.named_buffers())
        {
            all[name] = b;
        }

        return all;
    }

    internal static Device DeviceOf(ZooModel model) => model.parameters().First().device;

    /// <summary>
    /// Positions kept along one tensor dimension: each binding covers <c>units x repeat</c> positions from its offset (a Concat puts several
    /// groups side by side); positions no group covers are kept. Null when nothing is removed.
    /// </summary>
    private static long[]? KeptPositions(IEnumerable<TensorBinding> bindings, int size, IReadOnlyDictionary<string, int[]> kept, ArchitectureSpec architecture)
    {
        var keep = new bool[size];
        Array.Fill(keep, true);
        var removedAny = false;
        foreach (var b in bindings)
        {
            if (!kept.TryGetValue(b.Group, out var units))
            {
                continue;
            }

            var width = architecture.Width(b.Group);
            var chosen = new bool[width];
            foreach (var u in units)
            {
                chosen[u] = true;
            }

            for (var u = 0; u < width; u++)
            {
                if (!chosen[u])
                {
                    removedAny = true;
                    for (var r = 0; r < b.Repeat; r++)
                    {
                        keep[b.Offset + (u * b.Repeat) + r] = false;
                    }
                }
            }
        }

        return removedAny ? Enumerable.Range(0, size).Where(i => keep[i]).Select(i => (long)i).ToArray() : null;
    }
}
