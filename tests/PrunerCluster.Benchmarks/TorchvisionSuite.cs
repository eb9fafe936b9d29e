using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "torchvision": standard torchvision classifiers exported by <c>torchvision/export_models.py</c> (needs Debian's python3-torchvision)
/// go through the product's ONNX import, are compared with PyTorch on a fixed batch, pruned with one fixed mask (L1, a fraction of every
/// group kept) through the product's mask path, exported to ONNX and run in ONNX Runtime. Prints a table (markdown) and every refusal verbatim.
/// Options: --models DIR (the script's output; skips running it), --out DIR (where the script writes, default .prunercluster/torchvision),
/// --python PATH (default /usr/bin/python3, Debian's, which has torch), --size N (default 64), --keep F (default 0.5), --only a,b, --threads N (default 2).
/// </summary>
internal static class TorchvisionSuite
{
    public static int Run(string[] args)
    {
        var threads = PruningSuite.Number(args, "--threads") ?? 2;
        var keep = double.Parse(PruningSuite.Text(args, "--keep") ?? "0.5", CultureInfo.InvariantCulture);
        TorchRuntime.Initialize(threads);
        var folder = PruningSuite.Text(args, "--models") ?? Export(args);
        if (folder is null)
        {
            return 1;
        }

        var manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            Console.Error.WriteLine($"'{folder}' holds no manifest.json: run tests/PrunerCluster.Benchmarks/torchvision/export_models.py into it first.");
            return 1;
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var names = manifest.RootElement.GetProperty("models").EnumerateArray().Select(e => e.GetString()!).ToArray();
        if (PruningSuite.Text(args, "--only") is { } only)
        {
            names = names.Where(only.Split(',').Contains).ToArray();
        }

        Console.WriteLine($"torchvision suite: {names.Length} networks from {Path.GetFullPath(folder)} (torch {manifest.RootElement.GetProperty("torch")}, torchvision {manifest.RootElement.GetProperty("torchvision")}, opset {manifest.RootElement.GetProperty("opset")}, input {manifest.RootElement.GetProperty("size")}x{manifest.RootElement.GetProperty("size")}), torch threads {threads}, keep {keep:P0} of every group");
        var rows = new List<TorchvisionRow>();
        var work = Path.Combine(Path.GetTempPath(), "prunercluster-torchvision-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            foreach (var name in names)
            {
                var row = Measure(TorchvisionSample.Read(Path.Combine(folder, name)), keep, work);
                rows.Add(row);
                Console.WriteLine($"{name}: {row.Markdown()}");
            }
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        Console.WriteLine(Report(rows));
        return 0;
    }

    private static string? Export(string[] args)
    {
        var outDir = PruningSuite.Text(args, "--out") ?? Path.Combine(".prunercluster", "torchvision");
        var script = Path.Combine(AppContext.BaseDirectory, "torchvision", "export_models.py");
        var start = new ProcessStartInfo(PruningSuite.Text(args, "--python") ?? "/usr/bin/python3") { UseShellExecute = false };
        foreach (var a in new[] { script, outDir, "--size", PruningSuite.Text(args, "--size") ?? "64" })
        {
            start.ArgumentList.Add(a);
        }

        Console.WriteLine($"exporting with {start.FileName} {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"export_models.py exited with {process.ExitCode} (is python3-torchvision installed? apt-get install -y python3-torchvision); networks it did export are still measured.");
        }

        return File.Exists(Path.Combine(outDir, "manifest.json")) ? outDir : null;
    }

    private static TorchvisionRow Measure(TorchvisionSample sample, double keep, string work)
    {
        var ort = OrtBatch.Run(sample.OnnxPath, sample.Input, sample.InputShape);
        var row = new TorchvisionRow(sample.Name, sample.Parameters, sample.InputShape[^1], sample.MaxAbsLogit)
        {
            ExportVsPyTorch = TorchvisionSample.MaxAbsDifference(ort, sample.Logits),
            PyTorchVsFloat64 = TorchvisionSample.MaxAbsDifference(sample.Logits, sample.Exact),
        };
        var clock = Stopwatch.StartNew();
        ZooModel model;
        try
        {
            model = OnnxImporter.Load(sample.OnnxPath);
        }
        catch (GraphException e)
        {
            return row with { Refusal = e.Message };
        }

        using (model)
        {
            var ours = OrtBatch.Torch(model, sample.Input, sample.InputShape);
            row = row with
            {
                ImportSeconds = clock.Elapsed.TotalSeconds,
                BaselineVsPyTorch = TorchvisionSample.MaxAbsDifference(ours, sample.Logits),
                BaselineVsOrt = TorchvisionSample.MaxAbsDifference(ours, ort),
                BaselineVsFloat64 = TorchvisionSample.MaxAbsDifference(ours, sample.Exact),
                Macs = model.Macs,
            };
            try
            {
                return Prune(Structure(row, model), model, sample, keep, Path.Combine(work, sample.Name));
            }
            catch (Exception e)
            {
                // One network failing after import is a row of the table, not the end of the run.
                return row with { Failure = $"{e.GetType().Name}: {e.Message}" };
            }
        }
    }

    /// <summary>
    /// Groups and their units (a channel, or whole groups of a grouped convolution); frozen = output channels of dense and grouped producers
    /// (the classifier excepted) that no group holds.
    /// </summary>
    private static TorchvisionRow Structure(TorchvisionRow row, ZooModel model)
    {
        var groups = PruningStructure.Analyze(model);
        var units = groups.ToDictionary(g => g.Name, g => g.Units, StringComparer.Ordinal);
        var producers = model.Graph.Nodes.Where(n => n.Op is GraphOp.Linear || (n.Op is GraphOp.Conv && !n.Depthwise)).ToArray();
        var frozen = 0;
        foreach (var n in producers[..^1])
        {
            var held = model.Bindings.TryGetValue(n.Name + ".weight", out var list) ? list.Where(b => b.Dim == 0 && b.Produces).Sum(b => units[b.Group] * b.Repeat) : 0;
            frozen += n.OutChannels - held;
        }

        return row with { Groups = groups.Count, PrunableUnits = groups.Sum(g => g.Units), FrozenChannels = frozen };
    }

    private static TorchvisionRow Prune(TorchvisionRow row, ZooModel model, TorchvisionSample sample, double keep, string folder)
    {
        var groups = PruningStructure.Analyze(model);
        var mask = PruneMask.FromRanking(groups, Importance.Rank(model, ImportanceCriterion.L1), keep);
        using var pruned = MaskApplier.Shrink(model, MaskApplier.Resolve(model, mask).Kept);
        var ours = OrtBatch.Torch(pruned, sample.Input, sample.InputShape);
        var onnx = Path.Combine(folder, "pruned.onnx");
        OnnxExporter.Export(pruned, onnx);
        using var again = OnnxImporter.Load(onnx);
        return row with
        {
            PrunedMacs = pruned.Macs,
            PrunedOrtVsTorch = TorchvisionSample.MaxAbsDifference(OrtBatch.Run(onnx, sample.Input, sample.InputShape), ours),
            ReimportVsTorch = TorchvisionSample.MaxAbsDifference(OrtBatch.Torch(again, sample.Input, sample.InputShape), ours),
        };
    }

    private static string Report(IReadOnlyList<TorchvisionRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine().AppendLine(TorchvisionRow.MarkdownHeader);
        foreach (var row in rows)
        {
            text.AppendLine(row.Markdown());
        }

        foreach (var row in rows.Where(r => r.Refusal is not null || r.Failure is not null))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{row.Name}: {(row.Refusal is not null ? "refused" : "failed after import")}:").AppendLine().AppendLine("```").AppendLine(row.Refusal ?? row.Failure).AppendLine("```");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"max |logit| per network (relative = max abs difference / this): {string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name} {r.MaxAbsLogit:G3}")))}");
        return text.ToString();
    }
}
