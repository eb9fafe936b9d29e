using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>The one-line summary both views share.</summary>
public static class ProgressText
{
    public static string Line(ProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var s = snapshot.Status;
        var done = snapshot.MaxEvaluations is { } max ? $"{s.Evaluated}/{max}" : s.Evaluated.ToString(CultureInfo.InvariantCulture);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{s.State}] done {done}  in flight {s.InFlight}  failed {s.Failed}  cached {s.CacheHits}  {Rate(snapshot)}  ETA {Eta(snapshot.Eta)}  slots {Slots(snapshot)}  pareto {s.ParetoSize}  hypervolume {Hv(s.Hypervolume)}{Recovery(s)}{Preparation(s)}");
    }

    /// <summary>"  baseline vgg on fashion-mnist: step 420/938 (45%), epoch 1/2, loss 0.4100, ETA 1:12" while a baseline trains; empty otherwise.</summary>
    public static string Preparation(ExperimentStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Preparation is { TotalSteps: > 0 } p
            ? string.Create(CultureInfo.InvariantCulture, $"  {PreparationDetail(p)}")
            : "";
    }

    public static string PreparationDetail(PreparationProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return string.Create(CultureInfo.InvariantCulture, $"{p.Phase}: step {p.Step}/{p.TotalSteps} ({p.Fraction * 100:F0}%), epoch {p.Epoch}/{p.TotalEpochs}, loss {p.Loss:F4}, ETA {Eta(p.Eta)}");
    }

    /// <summary>"  recovered k/n" once final recovery is planned; empty before.</summary>
    public static string Recovery(ExperimentStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.RecoveryPlanned > 0 ? string.Create(CultureInfo.InvariantCulture, $"  recovered {s.RecoveryDone}/{s.RecoveryPlanned}") : "";
    }

    public static string Rate(ProgressSnapshot s) =>
        s.EvaluationsPerSecond is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:F3} evals/s") : "- evals/s";

    public static string Eta(TimeSpan? eta) => eta is { } e ? e.ToString(e.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "-";

    public static string Slots(ProgressSnapshot s) =>
        s.SlotUtilisation is { } u ? string.Create(CultureInfo.InvariantCulture, $"{s.BusySlots}/{s.Status.SlotShare} ({u * 100:F0}%)") : "-";

    public static string Hv(double? hv) => hv is { } h ? h.ToString("G4", CultureInfo.InvariantCulture) : "-";
}
