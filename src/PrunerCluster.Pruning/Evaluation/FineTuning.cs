using System.Globalization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// One recovery fine-tuning as an evaluation runs it: in the as-trained form (<see cref="TrainingForm"/>: BatchNorm re-inserted
/// after folded convolutions of imported graphs) when <see cref="EvaluationSettings.RebuildBatchNorm"/> asks for it, the
/// result folded back into <paramref name="model"/>, which keeps its deployed graph. Synchronous; call on one thread.
/// </summary>
internal static class FineTuning
{
    /// <summary>Training batches the re-inserted BatchNorms' statistics are taken from when recalibration is off.</summary>
    internal const int StatisticsBatches = 16;

    public static TrainOutcome Run(
        ZooModel model,
        ImageDataset train,
        EvaluationSettings s,
        FineTuneOptions options,
        Teacher? teacher,
        SparsityState? sparsity,
        Action<string>? note,
        Action<string, Action>? time,
        DeviceGate? gate,
        CancellationToken ct)
    {
        TrainingForm? form = null;
        if (options.Steps > 0 && sparsity is null && Rebuilds(model, s))
        {
            void Build() => form = TrainingForm.Build(model, train, s.RecalibrationBatches > 0 ? s.RecalibrationBatches : StatisticsBatches, options.BatchSize, s.Seed, gate, ct);
            if (time is null)
            {
                Build();
            }
            else
            {
                time("rebuild_batchnorm", Build);
            }

            if (form is not null)
            {
                note?.Invoke(string.Create(CultureInfo.InvariantCulture, $"fine-tuning: BatchNorm re-inserted after {form.Convolutions.Count} folded convolution(s) for training and folded back for validation, timing and export"));
            }
        }

        try
        {
            TrainOutcome? outcome = null;
            void Train() => outcome = Trainer.Train(form?.Model ?? model, train, options, teacher, sparsity: sparsity, ct: ct, gate: gate);
            if (time is null)
            {
                Train();
            }
            else
            {
                time("fine_tune", Train);
            }

            if (form is not null)
            {
                form.FoldInto(model);
            }

            return outcome!;
        }
        finally
        {
            form?.Dispose();
        }
    }

    /// <summary>Whether fine-tuning <paramref name="model"/> under <paramref name="s"/> trains a rebuilt BatchNorm form.</summary>
    public static bool Rebuilds(ZooModel model, EvaluationSettings s) =>
        s.RebuildBatchNorm == BatchNormRebuild.Imported && model.Architecture.Kind == OnnxImporter.Kind && TrainingForm.FoldedConvolutions(model.Graph).Count > 0;
}
