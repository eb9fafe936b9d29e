using System.Text.Json;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// One network written by <c>torchvision/export_models.py</c>: its ONNX file, the fixed input batch and PyTorch's logits for it
/// (float32 little-endian) and in float64, read back with their shapes from <c>meta.json</c>.
/// </summary>
/// <remarks><see cref="Exact"/> is PyTorch's float64 run of the same network: a reference without float32 rounding.</remarks>
internal sealed record TorchvisionSample(string Name, string OnnxPath, int[] InputShape, float[] Input, float[] Logits, double[] Exact, int Classes, long Parameters, double MaxAbsLogit)
{
    public static TorchvisionSample Read(string folder)
    {
        var metaPath = Path.Combine(folder, "meta.json");
        if (!File.Exists(metaPath))
        {
            throw new FileNotFoundException($"'{folder}' holds no meta.json: run torchvision/export_models.py into its parent folder first.", metaPath);
        }

        using var meta = JsonDocument.Parse(File.ReadAllText(metaPath));
        var root = meta.RootElement;
        var inputShape = root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var logitsShape = root.GetProperty("logits").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var input = Floats(Path.Combine(folder, "input.bin"), inputShape.Aggregate(1, (a, b) => a * b));
        var logits = Floats(Path.Combine(folder, "logits.bin"), logitsShape.Aggregate(1, (a, b) => a * b));
        var exact = Doubles(Path.Combine(folder, "logits64.bin"), logits.Length);
        return new TorchvisionSample(
            root.GetProperty("name").GetString()!,
            Path.Combine(folder, "model.onnx"),
            inputShape,
            input,
            logits,
            exact,
            logitsShape[1],
            root.GetProperty("parameters").GetInt64(),
            root.GetProperty("maxAbsLogit").GetDouble());
    }

    private static float[] Floats(string path, int count) => Values<float>(path, count, "float32");

    private static double[] Doubles(string path, int count) => Values<double>(path, count, "float64");

    private static T[] Values<T>(string path, int count, string kind)
        where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        var width = System.Runtime.InteropServices.Marshal.SizeOf<T>();
        if (bytes.Length != count * width)
        {
            throw new InvalidDataException($"'{path}' holds {bytes.Length} bytes; meta.json's shape needs {count} {kind} values ({count * width} bytes).");
        }

        var values = new T[count];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>The largest absolute element-wise difference of two equally long arrays (NaN anywhere gives infinity).</summary>
    public static double MaxAbsDifference(float[] a, float[] b) => MaxAbsDifference(a, Array.ConvertAll(b, v => (double)v));

    public static double MaxAbsDifference(float[] a, double[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Outputs have {a.Length} and {b.Length} values.", nameof(b));
        }

        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs(a[i] - b[i]);
            max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
        }

        return max;
    }
}
