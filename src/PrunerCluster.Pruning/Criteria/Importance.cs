using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Criteria;

public enum ImportanceCriterion
{
    /// <summary>L1 norm of each unit's producing weights (filters / weight rows), summed over tied producers.</summary>
    L1,

    /// <summary>L2 norm of each unit's producing weights.</summary>
    L2,

    /// <summary>|gamma| of the BatchNorm layers of the group (groups without BatchNorm fall back to L2).</summary>
    BatchNormScale,

    /// <summary>First-order Taylor (Molchanov et al. 2019): (sum over the unit's parameters of weight x gradient)^2, averaged over batches.</summary>
    Taylor,

    /// <summary>Seeded random scores.</summary>
    Random,
}

public sealed record ImportanceOptions
{
    /// <summary>Data for <see cref="ImportanceCriterion.Taylor"/> (e.g. the training split).</summary>
    public ImageDataset? Data { get; init; }

    public int Batches { get; init; } = 4;

    public int BatchSize { get; init; } = 64;

    public ulong Seed { get; init; } = 1;
}

public static class Importance
{
    /// <summary>Per group, one score per unit (higher = more important).</summary>
    public static IReadOnlyDictionary<string, double[]> Scores(ZooModel model, ImportanceCriterion criterion, ImportanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ImportanceOptions();
        return criterion switch
        {
            ImportanceCriterion.L1 => Norm(model, squared: false),
            ImportanceCriterion.L2 => Norm(model, squared: true),
            ImportanceCriterion.BatchNormScale => BatchNorm(model),
            ImportanceCriterion.Taylor => Taylor(model, options),
            ImportanceCriterion.Random => RandomScores(model, options.Seed),
            _ => throw new ArgumentOutOfRangeException(nameof(criterion), criterion, "Unknown importance criterion."),
        };
    }

    /// <summary>Per group, unit indices ordered most important first (ties: lower index first). Seeds magnitude masks for the search.</summary>
    public static IReadOnlyDictionary<string, int[]> Rank(ZooModel model, ImportanceCriterion criterion, ImportanceOptions? options = null) =>
        Scores(model, criterion, options).ToDictionary(kv => kv.Key, kv => Order(kv.Value), StringComparer.Ordinal);

    /// <summary>Loads the checkpoint's weights on the CPU and ranks its units (for Taylor, pass labelled data in the options).</summary>
    public static IReadOnlyDictionary<string, int[]> Rank(BaselineCheckpoint checkpoint, ImportanceCriterion criterion, ImportanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var architecture = checkpoint.Architecture ?? throw new ArgumentException($"Checkpoint '{checkpoint.Path}' records no architecture.", nameof(checkpoint));
        checkpoint.Verify();
        using var model = ModelZoo.Load(architecture, checkpoint.Path);
        return Rank(model, criterion, options);
    }

    public static int[] Order(double[] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
    }

    private static Dictionary<string, double[]> Empty(ZooModel model) =>
        model.Architecture.Widths.ToDictionary(w => w.Group, w => new double[w.Units], StringComparer.Ordinal);

    /// <summary>Adds per-unit values to <paramref name="target"/>.</summary>
    private static void AddPerUnit(double[] target, Tensor perUnit)
    {
        using var cpu = perUnit.to(torch.float64).cpu();
        var values = cpu.data<double>().ToArray();
        for (var i = 0; i < target.Length; i++)
        {
            target[i] += values[i];
        }
    }

    /// <summary>
    /// The binding's units of a per-channel vector: <paramref name="units"/> runs of <see cref="TensorBinding.Repeat"/> entries from its offset
    /// (a layer whose outputs are split between groups holds each group's units at an offset; a grouped convolution's unit is whole groups), each summed.
    /// </summary>
    private static Tensor PerUnit(Tensor perChannel, TensorBinding binding, int units) =>
        perChannel.narrow(0, binding.Offset, units * binding.Repeat).view(units, binding.Repeat).sum(1);

    private static bool IsWeightLayer(ZooModel model, string tensorName)
    {
        var layer = tensorName[..tensorName.LastIndexOf('.')];
        return tensorName.EndsWith(".weight", StringComparison.Ordinal) && model.Layers.Any(l => l.Name == layer && l.Kind != LayerKind.BatchNorm);
    }

    private static Dictionary<string, double[]> Norm(ZooModel model, bool squared)
    {
        var scores = Empty(model);
        var tensors = MaskApplier.Tensors(model);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        foreach (var (name, bindings) in model.Bindings)
        {
            if (!IsWeightLayer(model, name))
            {
                continue;
            }

            foreach (var b in bindings.Where(b => b.Produces))
            {
                var w = tensors[name].detach();
                var perUnit = (squared ? w.pow(2) : w.abs()).flatten(1).sum(1);
                AddPerUnit(scores[b.Group], PerUnit(perUnit, b, scores[b.Group].Length));
            }
        }

        if (squared)
        {
            foreach (var s in scores.Values)
            {
                for (var i = 0; i < s.Length; i++)
                {
                    s[i] = Math.Sqrt(s[i]);
                }
            }
        }

        return scores;
    }

    private static Dictionary<string, double[]> BatchNorm(ZooModel model)
    {
        var scores = Empty(model);
        var withBn = new HashSet<string>(StringComparer.Ordinal);
        var tensors = MaskApplier.Tensors(model);
        using (var scope = torch.NewDisposeScope())
        using (var guard = torch.no_grad())
        {
            foreach (var layer in model.Layers.Where(l => l.Kind == LayerKind.BatchNorm && l.OutGroup is not null))
            {
                var binding = model.Bindings[layer.Name + ".weight"].First(b => b.Group == layer.OutGroup);
                AddPerUnit(scores[layer.OutGroup!], PerUnit(tensors[layer.Name + ".weight"].abs(), binding, scores[layer.OutGroup!].Length));
                withBn.Add(layer.OutGroup!);
            }
        }

        var fallback = Norm(model, squared: true);
        foreach (var group in scores.Keys.Where(g => !withBn.Contains(g)).ToArray())
        {
            scores[group] = fallback[group];
        }

        return scores;
    }

    private static Dictionary<string, double[]> Taylor(ZooModel model, ImportanceOptions options)
    {
        var data = options.Data ?? throw new ArgumentException("Taylor importance needs ImportanceOptions.Data (labelled samples).", nameof(options));
        if (data.Count == 0)
        {
            throw new ArgumentException("Taylor importance needs a non-empty dataset.", nameof(options));
        }

        var scores = Empty(model);
        var tensors = MaskApplier.Tensors(model);
        var device = model.parameters().First().device;
        var wasTraining = model.training;
        model.eval();
        var rng = new DeterministicRandom(options.Seed, stream: 0x7A);
        try
        {
            for (var batch = 0; batch < options.Batches; batch++)
            {
                using var scope = torch.NewDisposeScope();
                var positions = new int[Math.Min(options.BatchSize, data.Count)];
                for (var i = 0; i < positions.Length; i++)
                {
                    positions[i] = rng.NextInt(data.Count);
                }

                var (x, y) = data.GetBatch(positions, device);
                model.zero_grad();
                var loss = torch.nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                using var guard = torch.no_grad();
                var perGroup = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var (name, bindings) in model.Bindings)
                {
                    var t = tensors[name];
                    if (t.grad is not { } grad)
                    {
                        continue;
                    }

                    foreach (var b in bindings.Where(b => b.Produces))
                    {
                        var contribution = t.detach().mul(grad);
                        var perUnit = PerUnit(contribution.dim() > 1 ? contribution.flatten(1).sum(1) : contribution, b, scores[b.Group].Length);
                        perGroup[b.Group] = perGroup.TryGetValue(b.Group, out var acc) ? acc.add(perUnit) : perUnit;
                    }
                }

                foreach (var (group, total) in perGroup)
                {
                    AddPerUnit(scores[group], total.pow(2).div(options.Batches));
                }
            }
        }
        finally
        {
            model.zero_grad();
            model.train(wasTraining);
        }

        return scores;
    }

    private static Dictionary<string, double[]> RandomScores(ZooModel model, ulong seed)
    {
        var scores = Empty(model);
        var rng = new DeterministicRandom(seed, stream: 0x3E);
        foreach (var w in model.Architecture.Widths)
        {
            for (var i = 0; i < w.Units; i++)
            {
                scores[w.Group][i] = rng.NextDouble();
            }
        }

        return scores;
    }
}
