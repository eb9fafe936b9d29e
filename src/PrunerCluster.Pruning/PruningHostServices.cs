using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning;

/// <summary>
/// The state a host (a silo, a tool, a benchmark, a test fixture) owns for the pruning engine it runs and gives to it: the
/// data sets it loaded, the gates of its devices and the calibrated reference latencies. Two hosts share none of them unless
/// they are given the same instance.
/// libtorch's process-wide thread count is not here: its one owner is <see cref="LibTorchThreads.Process"/>.
/// </summary>
public sealed class PruningHostServices
{
    public PruningHostServices()
        : this(new DatasetCache(), new DeviceGates(), new ReferenceCalibration())
    {
    }

    public PruningHostServices(DatasetCache datasets, DeviceGates gates, ReferenceCalibration calibration)
        : this(datasets, gates, calibration, new TeacherLogitsCache())
    {
    }

    public PruningHostServices(DatasetCache datasets, DeviceGates gates, ReferenceCalibration calibration, TeacherLogitsCache teachers)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        Teachers = teachers;
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(calibration);
        Datasets = datasets;
        Gates = gates;
        Calibration = calibration;
    }

    /// <summary>Data sets loaded by this host, shared by preparation and evaluation.</summary>
    public DatasetCache Datasets { get; }

    /// <summary>This host's device gates, shared by its slots, timing windows and baseline training.</summary>
    public DeviceGates Gates { get; }

    /// <summary>The unpruned teachers' logits over this host's training sets, filled by the distilled fine-tunings that read them.</summary>
    public TeacherLogitsCache Teachers { get; }

    /// <summary>The reference latencies this host's paired timings are scaled by.</summary>
    public ReferenceCalibration Calibration { get; }
}
