using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Tests;

internal static class TestSupport
{
    public const string FashionRoot = DatasetCatalog.FashionMnistDefaultRoot;

    static TestSupport() => TorchRuntime.Initialize(1);

    public static void Init() => TorchRuntime.Initialize(1);

    /// <summary>The data sets this test assembly loaded: its tests share them, as a host's slots do.</summary>
    public static DatasetCache Datasets { get; } = new();

    /// <summary>An evaluator with the test assembly's data sets, and gates and a reference calibration of its own.</summary>
    public static PruningEvaluator Evaluator(IArtifactStore? artifacts = null) => new(Host(), artifacts);

    /// <summary>Host services with the test assembly's data sets, and gates and a reference calibration of their own.</summary>
    public static PruningHostServices Host(DatasetCache? datasets = null) => new(datasets ?? Datasets, new DeviceGates(), new ReferenceCalibration());

    public static bool HasFashionMnist => File.Exists(Path.Combine(FashionRoot, "train-images-idx3-ubyte.gz"));

    /// <summary>Learnable synthetic images: class k has a bright kxk-ish blob at a class-specific position plus seeded noise.</summary>
    public static ImageDataset Synthetic(int count, int channels = 1, int size = 16, int classes = 4, ulong seed = 7, string name = "synthetic")
    {
        var rng = new DeterministicRandom(seed);
        var plane = size * size;
        var pixels = new byte[count * channels * plane];
        var labels = new byte[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % classes;
            labels[n] = (byte)label;
            var cx = (label * 3) % (size - 4);
            var cy = (label * 5) % (size - 4);
            for (var c = 0; c < channels; c++)
            {
                for (var y = 0; y < size; y++)
                {
                    for (var x = 0; x < size; x++)
                    {
                        var inBlob = x >= cx && x < cx + 4 && y >= cy && y < cy + 4;
                        var v = (inBlob ? 200 : 30) + rng.NextInt(40);
                        pixels[(n * channels * plane) + (c * plane) + (y * size) + x] = (byte)v;
                    }
                }
            }
        }

        return new ImageDataset(name, pixels, labels, channels, size, classes);
    }

    public static DataSplit SyntheticSplit(int train = 256, int validation = 64, int test = 64, int channels = 1, int size = 16, int classes = 4)
    {
        var all = Synthetic(train + validation, channels, size, classes);
        var testSet = Synthetic(test, channels, size, classes, seed: 99, name: "synthetic/test");
        return DatasetCatalog.Split(all, testSet, validation, 3);
    }

    private static readonly Lazy<string> ProcessTempRoot = new(() =>
    {
        var parent = Path.Combine(Path.GetTempPath(), "prunercluster-tests");
        DeleteRootsOfEndedProcesses(parent);
        var root = Path.Combine(parent, "run-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    });

    /// <summary>Roots left by test processes that no longer run (killed before their exit handler ran).</summary>
    private static void DeleteRootsOfEndedProcesses(string parent)
    {
        if (!Directory.Exists(parent) || !Directory.Exists("/proc"))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(parent, "run-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && !Directory.Exists("/proc/" + pid))
            {
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>A fresh directory under one root per test process; the root is deleted when the process exits, so runs leave nothing behind.</summary>
    public static string TempDirectory()
    {
        var dir = Path.Combine(ProcessTempRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
