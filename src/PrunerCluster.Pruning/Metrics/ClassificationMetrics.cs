using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;

namespace PrunerCluster.Pruning.Metrics;

public sealed record ClassificationReport(double Accuracy, double MacroF1, IReadOnlyList<double> PerClassRecall, int Samples, long[,] Confusion);

public static class ClassificationMetrics
{
    /// <summary>Top-1 accuracy, macro-F1 and per-class recall on the first <paramref name="samples"/> samples (all when null), in eval mode under no_grad.</summary>
    public static ClassificationReport Evaluate(ZooModel model, ImageDataset data, int? samples = null, int batchSize = 256, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var n = Math.Min(samples ?? data.Count, data.Count);
        if (n <= 0)
        {
            throw new ArgumentException($"No samples to evaluate in '{data.Name}'.", nameof(data));
        }

        var device = MaskApplier.DeviceOf(model);
        var wasTraining = model.training;
        model.eval();
        var confusion = new long[data.Classes, data.Classes];
        try
        {
            using var guard = torch.no_grad();
            for (var start = 0; start < n; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                using var shared = gate?.EnterShared(ct);
                using var scope = torch.NewDisposeScope();
                var (x, y) = data.GetBatch(start, Math.Min(batchSize, n - start), device);
                var predicted = FiniteLogits(model, x).argmax(1).cpu().data<long>().ToArray();
                var truth = y.cpu().data<long>().ToArray();
                for (var i = 0; i < predicted.Length; i++)
                {
                    confusion[truth[i], predicted[i]]++;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return FromConfusion(confusion);
    }

    /// <summary>Passes that may be repeated when a forward pass yields non-finite logits (a transient numeric fault; a model whose logits are really non-finite keeps them).</summary>
    internal const int ForwardAttempts = 3;

    /// <summary>The model's logits for <paramref name="x"/>, recomputed up to <see cref="ForwardAttempts"/> times while any is non-finite.</summary>
    internal static torch.Tensor FiniteLogits(ZooModel model, torch.Tensor x)
    {
        var logits = model.call(x);
        for (var attempt = 1; attempt < ForwardAttempts && !logits.isfinite().all().item<bool>(); attempt++)
        {
            ConvolutionBackend.Process.ReportNumericFault("forward pass", () =>
            {
                using var again = model.call(x);
                return !again.isfinite().all().item<bool>();
            });
            logits.Dispose();
            logits = model.call(x);
        }

        return logits;
    }

    public static ClassificationReport FromConfusion(long[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        var classes = confusion.GetLength(0);
        long total = 0, correct = 0;
        var recall = new double[classes];
        var f1Sum = 0.0;
        for (var c = 0; c < classes; c++)
        {
            long tp = confusion[c, c], actual = 0, predicted = 0;
            for (var k = 0; k < classes; k++)
            {
                actual += confusion[c, k];
                predicted += confusion[k, c];
                total += confusion[c, k];
            }

            correct += tp;
            recall[c] = actual == 0 ? 0 : (double)tp / actual;
            var precision = predicted == 0 ? 0 : (double)tp / predicted;
            f1Sum += precision + recall[c] == 0 ? 0 : 2 * precision * recall[c] / (precision + recall[c]);
        }

        return new ClassificationReport(total == 0 ? 0 : (double)correct / total, f1Sum / classes, recall, (int)total, confusion);
    }
}
