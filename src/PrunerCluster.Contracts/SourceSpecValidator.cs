using System.Globalization;

namespace PrunerCluster.Contracts;

/// <summary>Structural checks of the object forms of <c>"dataset"</c> and <c>"model"</c>; file contents are the backend's to check.</summary>
internal static class SourceSpecValidator
{
    private static readonly string[] WeightExtensions = [".pt", ".pth", ".bin", ".safetensors"];

    public static void Validate(ExperimentSpec spec, List<SpecError> errors)
    {
        if (spec.DatasetSource is { } data)
        {
            ValidateDataset(data, errors);
        }

        if (spec.ModelSource is { } model)
        {
            ValidateModel(model, errors);
        }
    }

    private static void ValidateDataset(DatasetSourceSpec d, List<SpecError> errors)
    {
        if (!DatasetSourceSpec.Formats.Contains(d.Format, StringComparer.Ordinal))
        {
            errors.Add(new("dataset.format", $"unknown format '{d.Format}'; expected one of {string.Join(", ", DatasetSourceSpec.Formats)}"));
        }

        if (string.IsNullOrWhiteSpace(d.Root))
        {
            errors.Add(new("dataset.root", "must name the data set's folder"));
        }

        if (d.Validation is { } v && (!(v > 0) || double.IsInfinity(v) || (v >= 1 && v != Math.Floor(v))))
        {
            errors.Add(new("dataset.validation", Invariant($"must be a fraction in (0, 1) or a whole count >= 1, got {v}")));
        }

        if (d.ImageSize is < 1)
        {
            errors.Add(new("dataset.imageSize", Invariant($"must be at least 1, got {d.ImageSize}")));
        }

        if (d.Format == DatasetSourceSpec.ImageFolder && d.ImageSize is null)
        {
            errors.Add(new("dataset.imageSize", "is required for image-folder: the side length every image is resized to (e.g. 32)"));
        }

        if (d.Channels is < 1 || (d.Format == DatasetSourceSpec.ImageFolder && d.Channels is not (null or 1 or 3)))
        {
            errors.Add(new("dataset.channels", Invariant($"must be 1 or 3 for image-folder and at least 1 otherwise, got {d.Channels}")));
        }

        if (d.Classes is < 2 or > 256)
        {
            errors.Add(new("dataset.classes", Invariant($"must be in [2, 256], got {d.Classes}")));
        }

        if (d.LabelBytes is < 1 or > 4)
        {
            errors.Add(new("dataset.labelBytes", Invariant($"must be in [1, 4], got {d.LabelBytes}")));
        }

        if (d.TestFraction is { } t && !(t > 0 && t < 1))
        {
            errors.Add(new("dataset.testFraction", Invariant($"must be in (0, 1), got {t}")));
        }

        if (d.Normalize is { } n)
        {
            ValidateNormalize(n, d, errors);
        }
    }

    /// <summary><c>dataset.normalize</c>: a known preset, or one finite mean and one std above 0 per channel of the data set.</summary>
    private static void ValidateNormalize(InputNormalizationSpec n, DatasetSourceSpec d, List<SpecError> errors)
    {
        const string Field = "dataset.normalize";
        var expected = $"expected one of {string.Join(", ", InputNormalizationSpec.Presets.Select(p => "\"" + p + "\""))} or {{\"mean\": [...], \"std\": [...]}} with one value per channel";
        var known = DatasetSourceSpec.Formats.Contains(d.Format, StringComparer.Ordinal) && d.Channels is null or >= 1;
        var channels = d.Format == DatasetSourceSpec.Idx ? 1 : d.Channels ?? 3;
        if (n.Preset is { } preset)
        {
            if (n.Mean is not null || n.Std is not null)
            {
                errors.Add(new(Field, $"gives the preset '{preset}' and explicit mean/std; give one of them"));
            }
            else if (!InputNormalizationSpec.Presets.Contains(preset, StringComparer.Ordinal))
            {
                errors.Add(new(Field, $"got '{preset}', {expected}"));
            }
            else if (preset == InputNormalizationSpec.Imagenet && known && channels != 3)
            {
                errors.Add(new(Field, Invariant($"got 'imagenet', which takes RGB images (3 channels), but this {d.Format} data set has {channels} channel(s); use \"dataset\", \"none\" or explicit mean/std with {channels} value(s) each")));
            }

            return;
        }

        if (n.Mean is null || n.Std is null)
        {
            errors.Add(new(Field, $"gives {(n.Mean is null ? "no mean" : "mean")} and {(n.Std is null ? "no std" : "std")}; {expected}"));
            return;
        }

        if (known && n.Mean.Count != channels)
        {
            errors.Add(new(Field + ".mean", Invariant($"has {n.Mean.Count} value(s) [{string.Join(", ", n.Mean)}], expected {channels}: one per channel of this {d.Format} data set")));
        }

        if (known && n.Std.Count != channels)
        {
            errors.Add(new(Field + ".std", Invariant($"has {n.Std.Count} value(s) [{string.Join(", ", n.Std)}], expected {channels}: one per channel of this {d.Format} data set")));
        }

        for (var i = 0; i < n.Mean.Count; i++)
        {
            if (!double.IsFinite(n.Mean[i]))
            {
                errors.Add(new(Invariant($"{Field}.mean[{i}]"), Invariant($"got {n.Mean[i]}, expected a finite number")));
            }
        }

        for (var i = 0; i < n.Std.Count; i++)
        {
            if (!(n.Std[i] > 0) || !double.IsFinite(n.Std[i]))
            {
                errors.Add(new(Invariant($"{Field}.std[{i}]"), Invariant($"got {n.Std[i]}, expected a finite number above 0")));
            }
        }
    }

    private static void ValidateModel(ModelSourceSpec m, List<SpecError> errors)
    {
        var hasOnnx = !string.IsNullOrWhiteSpace(m.Onnx);
        var hasZoo = !string.IsNullOrWhiteSpace(m.Zoo);
        if (hasOnnx == hasZoo)
        {
            errors.Add(new("model", "give exactly one of onnx (path of an ONNX file) or zoo (a built-in architecture)"));
        }

        if (m.Weights is { } w)
        {
            if (!hasZoo)
            {
                errors.Add(new("model.weights", "PyTorch weights go with a built-in architecture (zoo); an ONNX file carries its own weights"));
            }

            if (!WeightExtensions.Contains(Path.GetExtension(w).ToLowerInvariant(), StringComparer.Ordinal))
            {
                errors.Add(new("model.weights", $"'{w}' must be a PyTorch state_dict file ({string.Join(", ", WeightExtensions)})"));
            }
        }

        if (m.Exclude is null || m.Exclude.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new("model.exclude", "must be a list of layer names"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
