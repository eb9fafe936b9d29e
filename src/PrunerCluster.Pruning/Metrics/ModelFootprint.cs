using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>Static cost of a model: analytic MACs/params from its layer list, non-zero counts from its weights, bytes from its serialized form.</summary>
public sealed record ModelFootprint(long Macs, long Parameters, long EffectiveMacs, long NonzeroParameters, long SizeBytes, long ActivationBytesPerSample, long PeakActivationBytesPerSample)
{
    public static ModelFootprint Of(ZooModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = MaskApplier.Tensors(model);
        long effective = 0, nonzero = 0;
        using (var scope = torch.NewDisposeScope())
        using (var guard = torch.no_grad())
        {
            foreach (var (_, p) in model.named_parameters())
            {
                nonzero += p.count_nonzero().item<long>();
            }

            foreach (var layer in model.Layers)
            {
                if (layer.Kind == LayerKind.BatchNorm)
                {
                    continue;
                }

                var w = tensors[layer.Name + ".weight"];
                var density = (double)w.count_nonzero().item<long>() / w.numel();
                effective += (long)Math.Round(layer.Macs * density);
            }
        }

        var buffer = new MemoryStream();
        model.save(buffer);
        var size = buffer.ToArray().LongLength;
        var activations = model.Layers.Sum(l => l.InputElements + l.OutputElements) * sizeof(float);
        var peak = model.Layers.Max(l => l.InputElements + l.OutputElements) * sizeof(float);
        return new ModelFootprint(model.Macs, model.ParameterCount, effective, nonzero, size, activations, peak);
    }
}
