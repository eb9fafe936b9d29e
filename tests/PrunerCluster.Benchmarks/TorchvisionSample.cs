using System.Text.Json;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// One network written by <c>torchvision/export_models.py</c>: its ONNX file, the fixed input batch and PyTorch's logits for it
/// (float32 little-endian), read back with their shapes from <c>meta.json</c>.
/// </summary>
internal sealed record TorchvisionSample(string Name, string OnnxPath, int[] InputShape, float[] Input, float[] Logits, int Classes, long Parameters, double MaxAbsLogit)
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
        return new TorchvisionSample(
            root.GetProperty("name").GetString()!,
            Path.Combine(folder, "model.onnx"),
            inputShape,
            input,
            logits,
            logitsShape[1],
            root.GetProperty("parameters").GetInt64(),
            root.GetProperty("maxAbsLogit").GetDouble());
    }

    private static float[] Floats(string path, int count)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != count * sizeof(float))
        {
            throw new InvalidDataException($"'{path}' holds {bytes.Length} bytes; meta.json's shape needs {count} float32 values ({count * sizeof(float)} bytes).");
        }

        var values = new float[count];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>The largest absolute element-wise difference of two equally long arrays (NaN anywhere gives infinity).</summary>
    public static double MaxAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Outputs have {a.Length} and {b.Length} values.", nameof(b));
        }

        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs((double)a[i] - b[i]);
            max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
        }

        return max;
    }
}
