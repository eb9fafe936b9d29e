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
