using System.Diagnostics;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// Times one layer shape on its own for a <see cref="LatencyTable"/>: a freshly initialised convolution (square input of
/// the layer's size) followed by a ReLU, as NetAdapt times layer blocks, so the memory-bound element-wise work grows
/// with each layer's output as it does in the model, or a linear layer, eval mode, no_grad, on a seeded random input of <paramref name="batchSize"/>,
/// under a <see cref="LatencyPolicy"/>; the median. A grouped or depthwise convolution is timed as the dense
/// convolution with its MACs (<see cref="LayerDesc"/> keeps channels per group, not the group count). The caller holds
/// the timing window (<see cref="Scheduling.TimingWindow"/>) and picks the kernels, as for whole models.
/// </summary>
public static class LayerTimer
{
    public static double MedianMs(LayerDesc layer, int batchSize, Device device, LatencyPolicy policy, ulong seed = 1, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        policy.Validate();
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var generator = new Generator(seed, device);
        nn.Module<Tensor, Tensor> module;
        Tensor input;
        switch (layer.Kind)
        {
            case LayerKind.Conv:
                module = nn.Sequential(nn.Conv2d(layer.InUnits, layer.OutUnits, (layer.Kernel, layer.KernelW), (layer.Stride, layer.Stride), (layer.Padding, layer.PaddingW), bias: layer.Bias), nn.ReLU());
                input = torch.randn([batchSize, layer.InUnits, layer.InSize, layer.InSize], generator: generator, device: device);
                break;
            case LayerKind.Linear:
                module = nn.Linear(layer.InUnits * layer.InRepeat, layer.OutUnits, hasBias: layer.Bias);
                input = torch.randn([batchSize, layer.InUnits * layer.InRepeat], generator: generator, device: device);
                break;
            default:
                throw new ArgumentException($"layer '{layer.Name}' is a {layer.Kind}; only convolution and linear layers are timed", nameof(layer));
        }

        using (module)
        {
            module.to(device);
            module.eval();
            for (var i = 0; i < policy.Warmup; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var y = module.call(input);
            }

            var times = new List<double>(policy.MaxRuns);
            var clock = Stopwatch.StartNew();
            do
            {
                ct.ThrowIfCancellationRequested();
                TorchRuntime.Synchronize(device);
                var start = Stopwatch.GetTimestamp();
                using (var y = module.call(input))
                {
                    TorchRuntime.Synchronize(device);
                }

                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            while (!policy.IsDone(times, clock.Elapsed));
            return TimingStatistics.Of(times).Median;
        }
    }
}
