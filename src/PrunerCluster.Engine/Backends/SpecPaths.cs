using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// What a cluster silo lets a spec name on its disk. With <see cref="TorchSharpBackendOptions.TrustSpecPaths"/> off, every
/// path a client sends must be relative, without "..", and is looked up under the operator's
/// <see cref="TorchSharpBackendOptions.DataRoots"/>; the checkpoint cache is the silo's own. Refusals come at submission,
/// before anything is read.
/// </summary>
public static class SpecPaths
{
    public const string RootsSetting = "PrunerCluster:TorchSharp:DataRoots";

    /// <summary>The spec's paths by field name (only those given).</summary>
    public static IEnumerable<(string Field, string Path)> Named(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.DataRoot is { Length: > 0 } dataRoot)
        {
            yield return ("dataRoot", dataRoot);
        }

        if (spec.DatasetSource?.Root is { Length: > 0 } root)
        {
            yield return ("dataset.root", root);
        }

        if (spec.ModelSource?.Onnx is { Length: > 0 } onnx)
        {
            yield return ("model.onnx", onnx);
        }

        if (spec.ModelSource?.Weights is { Length: > 0 } weights)
        {
            yield return ("model.weights", weights);
        }

        if (spec.Baseline.CheckpointPath is { Length: > 0 } checkpoint)
        {
            yield return ("baseline.checkpointPath", checkpoint);
        }
    }

    public static IReadOnlyList<SpecError> Check(ExperimentSpec spec, TorchSharpBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TrustSpecPaths)
        {
            return [];
        }

        var errors = new List<SpecError>();
        if (spec.Baseline.CacheDirectory is { Length: > 0 } cache)
        {
            errors.Add(new("baseline.cacheDirectory", $"'{cache}' refused: on a cluster the checkpoint cache is the silo's own (PrunerCluster:TorchSharp:CheckpointCacheDirectory); remove the field"));
        }

        var roots = options.DataRoots.Count == 0 ? "none are configured" : string.Join(", ", options.DataRoots);
        foreach (var (field, path) in Named(spec))
        {
            if (Path.IsPathRooted(path) || path.Split('/', '\\').Contains(".."))
            {
                errors.Add(new(field, $"'{path}' refused: a cluster's silos read files only under their data roots ({RootsSetting}: {roots}); give a path relative to a data root, without '..'"));
            }
            else if (options.DataRoots.Count == 0)
            {
                errors.Add(new(field, $"'{path}' refused: this cluster's silos have no data roots ({RootsSetting}), so they read no files a spec names; name a built-in data set, or ask the operator for a data root"));
            }
        }

        return errors;
    }

    /// <summary>
    /// The spec with each relative path replaced by its place under the first data root that holds it (else the first
    /// root). Unchanged when paths are trusted. Call only on a spec <see cref="Check"/> accepted.
    /// </summary>
    public static ExperimentSpec Resolve(ExperimentSpec spec, TorchSharpBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TrustSpecPaths || options.DataRoots.Count == 0)
        {
            return spec;
        }

        string Under(string path)
        {
            var candidates = options.DataRoots.Select(root => Path.GetFullPath(Path.Combine(root, path))).ToList();
            return candidates.FirstOrDefault(p => File.Exists(p) || Directory.Exists(p)) ?? candidates[0];
        }

        return spec with
        {
            DataRoot = spec.DataRoot is { Length: > 0 } dataRoot ? Under(dataRoot) : spec.DataRoot,
            DatasetSource = spec.DatasetSource is { Root.Length: > 0 } source ? source with { Root = Under(source.Root) } : spec.DatasetSource,
            ModelSource = spec.ModelSource is { } model
                ? model with
                {
                    Onnx = model.Onnx is { Length: > 0 } onnx ? Under(onnx) : model.Onnx,
                    Weights = model.Weights is { Length: > 0 } weights ? Under(weights) : model.Weights,
                }
                : null,
            Baseline = spec.Baseline.CheckpointPath is { Length: > 0 } checkpoint ? spec.Baseline with { CheckpointPath = Under(checkpoint) } : spec.Baseline,
        };
    }
}
