using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Engine.Backends;

/// <summary>Maps a spec's data set (named or by format) onto the engine's <see cref="DatasetDescriptor"/> and checks it before any work starts.</summary>
internal static class DataSourceResolver
{
    /// <summary>The descriptor for a spec, or null with an error when the spec names neither a known data set nor a format.</summary>
    public static DatasetDescriptor? Resolve(ExperimentSpec spec, out SpecError? error)
    {
        error = null;
        if (spec.DatasetSource is { } d)
        {
            var validation = d.Validation;
            return new DatasetDescriptor
            {
                Format = d.Format,
                Root = d.Root,
                Name = d.Name ?? SafeName(d.Root, d.Format),
                ImageSize = d.ImageSize,
                Channels = d.Channels,
                Classes = d.Classes,
                LabelBytes = d.LabelBytes,
                ValidationCount = validation is >= 1 ? (int)validation.Value : null,
                ValidationFraction = validation is > 0 and < 1 ? validation : null,
                TestFraction = d.TestFraction,
                Normalization = Normalization(spec),
            };
        }

        var named = DatasetDescriptor.FromName(spec.Dataset, spec.DataRoot);
        if (named is null)
        {
            error = DatasetCatalog.Names.Contains(spec.Dataset, StringComparer.Ordinal)
                ? new("dataRoot", DatasetCatalog.MissingFiles(spec.Dataset, spec.DataRoot) ?? "needs a root")
                : new("dataset", $"unknown dataset '{spec.Dataset}'; expected one of {string.Join(", ", DatasetCatalog.Names)}, or an object {{\"format\": {string.Join("|", DatasetFormats.All)}, \"root\": folder}}");
        }

        return named;
    }

    /// <summary>
    /// The spec's <c>dataset.normalize</c> as the engine's canonical text (<see cref="InputNormalization"/>); null for the default
    /// (the training files' statistics) and for a data set given by name, which has only the default.
    /// </summary>
    public static string? Normalization(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.DatasetSource?.Normalize is not { IsDefault: false } n)
        {
            return null;
        }

        return n.Preset is { } preset
            ? InputNormalization.Canonical(preset)
            : InputNormalization.Explicit(n.Mean ?? [], n.Std ?? []);
    }

    /// <summary>Every problem with the data set (missing files, unreadable headers, too few classes, validation split too large) as spec errors.</summary>
    public static (DatasetDescriptor? Descriptor, DatasetInfo? Info) Check(ExperimentSpec spec, List<SpecError> errors)
    {
        var descriptor = Resolve(spec, out var error);
        if (descriptor is null)
        {
            errors.Add(error!);
            return (null, null);
        }

        var field = spec.DatasetSource is null ? "dataRoot" : "dataset.root";
        if (spec.DatasetSource is null && DatasetCatalog.MissingFiles(spec.Dataset, spec.DataRoot) is { } legacyMissing)
        {
            errors.Add(new(field, legacyMissing));
            return (descriptor, null);
        }

        if (DatasetCatalog.MissingFiles(descriptor) is { } missing)
        {
            errors.Add(new(field, missing));
            return (descriptor, null);
        }

        try
        {
            var info = DatasetCatalog.Probe(descriptor);
            if (info.Classes < 2)
            {
                errors.Add(new("dataset", string.Create(CultureInfo.InvariantCulture, $"data set '{info.Name}' has {info.Classes} class(es); classification needs at least 2")));
            }

            try
            {
                _ = InputNormalization.Constants(descriptor.Normalization, info.Channels);
            }
            catch (DatasetException ex)
            {
                errors.Add(new("dataset.normalize", ex.Message));
            }

            try
            {
                _ = descriptor.ResolveValidation(info.TrainCount);
            }
            catch (DatasetException ex)
            {
                errors.Add(new(spec.DatasetSource is null ? "dataset" : "dataset.validation", ex.Message));
            }

            return (descriptor, info);
        }
        catch (DatasetException ex)
        {
            errors.Add(new(field, ex.Message));
            return (descriptor, null);
        }
    }

    private static string SafeName(string root, string format)
    {
        var leaf = Path.GetFileName(Path.TrimEndingDirectorySeparator(root));
        var safe = new string((leaf ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return safe.Length == 0 ? format : safe;
    }
}
