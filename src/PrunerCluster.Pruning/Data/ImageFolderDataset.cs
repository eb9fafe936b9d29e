using System.Globalization;
using SkiaSharp;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// The <c>image-folder</c> format: one folder per class (its name is the class, classes ordered by name) holding PNG or JPEG files,
/// either directly in the root or below <c>train/</c> and <c>test/</c>. Images are decoded with SkiaSharp and resized (bilinear) to
/// <see cref="DatasetDescriptor.ImageSize"/>; without a test folder, <see cref="DatasetDescriptor.TestFraction"/> of each class is held out.
/// </summary>
internal static class ImageFolderDataset
{
    public const string Layout = "one sub-folder per class holding .png/.jpg/.jpeg files, directly in the root or below train/ and test/";

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    public static string? Missing(DatasetDescriptor d)
    {
        if (!Directory.Exists(d.Root))
        {
            return $"Data set folder '{d.Root}' does not exist (format '{DatasetFormats.ImageFolder}': {Layout}).";
        }

        if (d.ImageSize is not { } size || size < 1)
        {
            return $"Data set '{d.DisplayName}' (format '{DatasetFormats.ImageFolder}') needs imageSize: the side length every image is resized to, e.g. 32.";
        }

        return d.Channels is { } c && c is not (1 or 3)
            ? string.Create(CultureInfo.InvariantCulture, $"Data set '{d.DisplayName}' (format '{DatasetFormats.ImageFolder}'): channels must be 1 (grayscale) or 3 (RGB), got {c}.")
            : null;
    }

    /// <summary>Counts and classes from the listing; every image is decoded once, so an unreadable file is named before any work starts.</summary>
    public static DatasetInfo Probe(DatasetDescriptor d)
    {
        var (train, test, classes) = List(d);
        CheckDecodable([.. train.Select(f => f.Path), .. test.Select(f => f.Path)]);
        return new DatasetInfo(d.DisplayName, train.Count, test.Count, d.Channels ?? 3, d.ImageSize!.Value, classes.Count);
    }

    public static (ImageDataset Train, ImageDataset Test) Load(DatasetDescriptor d)
    {
        var (trainFiles, testFiles, classes) = List(d);
        var channels = d.Channels ?? 3;
        var size = d.ImageSize!.Value;
        var train = new ImageDataset(d.DisplayName, Decode(trainFiles, channels, size), trainFiles.Select(f => (byte)f.Label).ToArray(), channels, size, classes.Count);
        var test = new ImageDataset(d.DisplayName + "/test", Decode(testFiles, channels, size), testFiles.Select(f => (byte)f.Label).ToArray(), channels, size, classes.Count, train.Mean.ToArray(), train.Std.ToArray());
        return (train, test);
    }

    private static (List<(string Path, int Label)> Train, List<(string Path, int Label)> Test, IReadOnlyList<string> Classes) List(DatasetDescriptor d)
    {
        if (Missing(d) is { } missing)
        {
            throw new DatasetException(missing);
        }

        var trainRoot = Path.Combine(d.Root, "train");
        var testRoot = Path.Combine(d.Root, "test");
        var split = Directory.Exists(trainRoot);
        var root = split ? trainRoot : d.Root;
        var classes = Directory.EnumerateDirectories(root).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        var perClass = classes.Select(c => Images(Path.Combine(root, c))).ToArray();
        CheckClasses(d, root, classes, perClass);
        var train = new List<(string, int)>();
        var test = new List<(string, int)>();
        if (split && Directory.Exists(testRoot))
        {
            FromTestFolder(trainRoot, testRoot, classes, perClass, train, test);
        }
        else
        {
            HoldOut(d, classes, perClass, train, test);
        }

        if (test.Count == 0)
        {
            throw new DatasetException($"Image folder '{d.Root}' yields no test images ({Layout}).");
        }

        return (train, test, classes);
    }

    private static void CheckClasses(DatasetDescriptor d, string root, string[] classes, string[][] perClass)
    {
        var nonEmpty = classes.Where((_, i) => perClass[i].Length > 0).ToArray();
        if (nonEmpty.Length < 2)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture,
                $"Image folder '{root}' has {nonEmpty.Length} class folder(s) with images ({string.Join(", ", nonEmpty.DefaultIfEmpty("none"))}); classification needs at least 2: put each class's .png/.jpg files in its own sub-folder ({Layout})."));
        }

        var empty = classes.Where((_, i) => perClass[i].Length == 0).ToArray();
        if (empty.Length > 0)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture,
                $"Image folder '{root}' has {empty.Length} empty class folder(s) ({string.Join(", ", empty.Select(c => $"'{Path.Combine(root, c)}'"))}): every sub-folder is a class and needs .png/.jpg/.jpeg files; put the class's images in it or remove the folder."));
        }

        if (classes.Length > 256)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Image folder '{root}' has {classes.Length} class folders; at most 256 are supported."));
        }

        if (d.Classes is { } given && given != classes.Length)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Image folder '{root}' has {classes.Length} class folders but the spec gives classes = {given}."));
        }
    }

    /// <summary>Training images from the class folders under <c>train</c>, test images from the same classes under <c>test</c>.</summary>
    private static void FromTestFolder(string trainRoot, string testRoot, string[] classes, string[][] perClass, List<(string, int)> train, List<(string, int)> test)
    {
        for (var i = 0; i < classes.Length; i++)
        {
            train.AddRange(perClass[i].Select(f => (f, i)));
            test.AddRange(Images(Path.Combine(testRoot, classes[i])).Select(f => (f, i)));
        }

        var unknown = Directory.EnumerateDirectories(testRoot).Select(p => Path.GetFileName(p)!).Where(c => !classes.Contains(c, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            throw new DatasetException($"Image folder '{testRoot}' has class folder(s) {string.Join(", ", unknown)} that '{trainRoot}' does not have.");
        }
    }

    /// <summary>Holds out a <c>testFraction</c> of each class's images as test data.</summary>
    private static void HoldOut(DatasetDescriptor d, string[] classes, string[][] perClass, List<(string, int)> train, List<(string, int)> test)
    {
        var fraction = d.TestFraction ?? 0.2;
        if (!(fraction > 0 && fraction < 1))
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{d.DisplayName}': testFraction must be in (0, 1), got {fraction}."));
        }

        for (var i = 0; i < classes.Length; i++)
        {
            // Every k-th file of a class (in name order) is test data: deterministic and stratified.
            var files = perClass[i];
            var holdOut = files.Length < 2 ? 0 : Math.Clamp((int)Math.Round(files.Length * fraction), 1, files.Length - 1);
            var step = holdOut == 0 ? int.MaxValue : (double)files.Length / holdOut;
            var testIdx = Enumerable.Range(0, holdOut).Select(k => (int)(k * step)).ToHashSet();
            for (var j = 0; j < files.Length; j++)
            {
                (testIdx.Contains(j) ? test : train).Add((files[j], i));
            }
        }
    }

    private static string[] Images(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant(), StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Fully decodes every file (a header alone does not show a truncated or garbled image) and names each one that fails.</summary>
    private static void CheckDecodable(IReadOnlyList<string> files)
    {
        var problems = new string?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i => problems[i] = DecodeProblem(files[i]));
        var unreadable = files.Select((f, i) => (File: f, Problem: problems[i])).Where(p => p.Problem is not null).ToArray();
        if (unreadable.Length == 0)
        {
            return;
        }

        const int Shown = 10;
        var listed = string.Join("; ", unreadable.Take(Shown).Select(p => $"'{p.File}' ({p.Problem})"));
        var more = unreadable.Length > Shown ? string.Create(CultureInfo.InvariantCulture, $"; and {unreadable.Length - Shown} more") : "";
        throw new DatasetException(string.Create(CultureInfo.InvariantCulture,
            $"{unreadable.Length} image file(s) cannot be decoded (expected PNG or JPEG images): {listed}{more}. Remove or re-encode them."));
    }

    private static string? DecodeProblem(string path)
    {
        if (new FileInfo(path).Length == 0)
        {
            return "the file is empty";
        }

        using var codec = SKCodec.Create(path, out var opened);
        if (codec is null)
        {
            return $"not a readable PNG or JPEG: {Describe(opened)}";
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        return decoded == SKCodecResult.Success ? null : $"its {codec.EncodedFormat} data is damaged: {Describe(decoded)}";
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the data is truncated or corrupt",
        SKCodecResult.Unimplemented => "an unsupported encoding",
        _ => "unrecognised content",
    };

    private static byte[] Decode(List<(string Path, int Label)> files, int channels, int size)
    {
        var plane = size * size;
        var result = new byte[(long)files.Count * channels * plane];
        var target = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        try
        {
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i => DecodeOne(files[i].Path, i, channels, size, plane, target, result));
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DatasetException>().FirstOrDefault() is { } first)
        {
            throw first;
        }

        return result;
    }

    private static void DecodeOne(string path, int i, int channels, int size, int plane, SKImageInfo target, byte[] result)
    {
        using var source = SKBitmap.Decode(path)
            ?? throw new DatasetException(path, "a PNG or JPEG image", "Remove or re-encode the file.", "Cannot decode image");
        using var rgba = new SKBitmap(target);
        using (var converted = source.ColorType == SKColorType.Rgba8888 && source.AlphaType == SKAlphaType.Unpremul ? null : source.Copy(SKColorType.Rgba8888))
        {
            if (!(converted ?? source).ScalePixels(rgba, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
            {
                throw new DatasetException(path, "a PNG or JPEG image", "Remove or re-encode the file.", "Cannot resize image");
            }
        }

        var pixels = rgba.GetPixelSpan();
        var offset = (long)i * channels * plane;
        for (var p = 0; p < plane; p++)
        {
            byte r = pixels[4 * p], g = pixels[(4 * p) + 1], b = pixels[(4 * p) + 2];
            if (channels == 1)
            {
                result[offset + p] = (byte)Math.Round((0.299 * r) + (0.587 * g) + (0.114 * b));
            }
            else
            {
                result[offset + p] = r;
                result[offset + plane + p] = g;
                result[offset + (2 * plane) + p] = b;
            }
        }
    }
}
