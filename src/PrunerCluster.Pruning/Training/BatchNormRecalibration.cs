using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// Adaptive BatchNorm (EagleEye, Li et al., ECCV 2020): after pruning, every BatchNorm layer's running mean and variance are
/// re-estimated on seeded training batches, with no gradient step. The statistics are the exact average of the per-batch
/// statistics (momentum 1/(k+1) on batch k, from a reset), so they do not depend on the layers' own momentum, which is restored.
/// Batches are those <see cref="Trainer"/> draws for the same seed and batch size (<see cref="StepSampler"/>).
/// Synchronous; call on one thread (grad mode and dispose scopes are thread-local). Leaves the model in eval mode.
/// </summary>
public static class BatchNormRecalibration
{
    /// <summary>Recalibrates <paramref name="model"/> in place on <paramref name="batches"/> batches; returns the BatchNorm layers it found (0: nothing to do).</summary>
    public static int Recalibrate(nn.Module<Tensor, Tensor> model, ImageDataset data, int batches, int batchSize, ulong seed, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(batches);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var layers = model.modules().OfType<BatchNorm>().Where(b => b.track_running_stats && b.running_mean is not null && b.running_var is not null).ToArray();
        if (batches == 0 || layers.Length == 0)
        {
            return layers.Length;
        }

        if (data.Count == 0)
        {
            throw new ArgumentException("Recalibration data is empty.", nameof(data));
        }

        var momenta = layers.Select(b => b.momentum).ToArray();
        var device = model.parameters().First().device;
        var sampler = new StepSampler(data.Count, Math.Min(batchSize, data.Count), seed);
        try
        {
            using (torch.no_grad())
            {
                foreach (var layer in layers)
                {
                    layer.running_mean!.zero_();
                    layer.running_var!.fill_(1.0);
                    layer.num_batches_tracked?.zero_();
                }
            }

            model.train();
            for (var k = 0; k < batches; k++)
            {
                ct.ThrowIfCancellationRequested();
                foreach (var layer in layers)
                {
                    layer.momentum = 1.0 / (k + 1);
                }

                using (gate?.EnterShared(ct))
                using (var scope = torch.NewDisposeScope())
                using (torch.no_grad())
                {
                    var (x, _) = data.GetBatch(sampler.Positions(k), device);
                    _ = model.call(x);
                }
            }
        }
        finally
        {
            for (var i = 0; i < layers.Length; i++)
            {
                layers[i].momentum = momenta[i];
            }

            model.eval();
        }

        return layers.Length;
    }
}
