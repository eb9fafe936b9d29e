using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Backends;

/// <summary>Settings of the TorchSharp evaluation backend on one silo (configuration section "PrunerCluster:TorchSharp").</summary>
public sealed class TorchSharpBackendOptions
{
    /// <summary>libtorch intra-op threads per evaluation; libtorch ignores container CPU limits, so this is always explicit.</summary>
    public int Threads { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Where baseline checkpoints are trained into and reused from.</summary>
    public string CheckpointCacheDirectory { get; set; } = DefaultCacheDirectory();

    /// <summary>Content-addressed store of the fine-tuned weights of evaluated individuals (what <c>export</c> reads); null = <c>&lt;CheckpointCacheDirectory&gt;/artifacts</c>.</summary>
    public string? ArtifactDirectory { get; set; }

    public string ResolvedArtifactDirectory => ArtifactDirectory ?? Path.Combine(CheckpointCacheDirectory, "artifacts");

    /// <summary>
    /// Whether a spec's paths (<c>dataRoot</c>, <c>dataset.root</c>, <c>model.onnx</c>, <c>model.weights</c>,
    /// <c>baseline.checkpointPath</c>, <c>baseline.cacheDirectory</c>) are opened as given. True for the embedded search and
    /// the CLI's own verbs, whose user owns the machine; the silo process turns it off (<see cref="SpecPaths"/>): a cluster
    /// then reads only relative paths under <see cref="DataRoots"/> and keeps its caches where its operator put them.
    /// </summary>
    public bool TrustSpecPaths { get; set; } = true;

    /// <summary>Folders a cluster silo reads spec-named files from (a spec's relative path is looked up under each in turn).</summary>
    public List<string> DataRoots { get; set; } = [];

    /// <summary>
    /// Where this silo saves the models final recovery produces, as <c>&lt;root&gt;/&lt;experiment&gt;/models/&lt;member&gt;</c>
    /// (the layout of a run directory); null = not saved. Set by the host, never by a client: the embedded search points it at
    /// its runs folder, so the run directory holds every recovered model.
    /// </summary>
    public string? RecoveredModelsRoot { get; set; }

    /// <summary>Largest ONNX file a spec may name; a larger one is refused before it is read.</summary>
    public long MaxOnnxBytes { get; set; } = 1L << 30;

    /// <summary>Most nodes an imported ONNX graph may have.</summary>
    public int MaxOnnxNodes { get; set; } = 50_000;

    private static string DefaultCacheDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "prunercluster", "checkpoints");
    }
}

public sealed class TorchSharpBackendOptionsValidator : IValidateOptions<TorchSharpBackendOptions>
{
    public ValidateOptionsResult Validate(string? name, TorchSharpBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Threads < 1)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:TorchSharp:Threads must be >= 1, got {options.Threads}."));
        }

        if (options.MaxOnnxBytes < 1 || options.MaxOnnxNodes < 1)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:TorchSharp:MaxOnnxBytes and MaxOnnxNodes must be >= 1, got {options.MaxOnnxBytes} and {options.MaxOnnxNodes}."));
        }

        if (string.IsNullOrWhiteSpace(options.CheckpointCacheDirectory))
        {
            failures.Add("PrunerCluster:TorchSharp:CheckpointCacheDirectory must be a directory path.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
