using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Sweeps;

/// <summary>What the magnitude-sweep verbs share: the spec (a file, or a run directory's spec.json) and the engine.</summary>
internal static class SweepSetup
{
    /// <summary>A spec file, or a run directory written by 'search' (its spec.json; the directory is returned too).</summary>
    public static (ExperimentSpec Spec, string? RunDirectory) Load(string target)
    {
        if (Directory.Exists(target))
        {
            var specPath = Path.Combine(target, RunDirectory.SpecFileName);
            if (!File.Exists(specPath))
            {
                throw new CliException($"'{target}' is a directory without {RunDirectory.SpecFileName}; expected a spec file or a run directory written by 'search'");
            }

            return (SpecFile.LoadValid(specPath), Path.GetFullPath(target));
        }

        return (SpecFile.LoadValid(target), null);
    }

    /// <summary>The TorchSharp engine for <paramref name="spec"/>; the engine's own checks of the spec fail here, all at once.</summary>
    public static TorchSharpEvaluationBackend Backend(ExperimentSpec spec, string source, string? cache)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!string.Equals(spec.Backend, TorchSharpEvaluationBackend.BackendName, StringComparison.Ordinal))
        {
            throw new CliException($"spec '{source}': backend is '{spec.Backend}'; magnitude sweeps prune real models and need backend '{TorchSharpEvaluationBackend.BackendName}'");
        }

        var options = new TorchSharpBackendOptions();
        if (cache is not null)
        {
            options.CheckpointCacheDirectory = cache;
        }

        if (spec.Evaluation.Threads is { } threads)
        {
            options.Threads = threads;
        }

        var backend = new TorchSharpEvaluationBackend(Options.Create(options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        var errors = backend.Validate(spec);
        return errors.Count == 0 ? backend : throw SpecFile.Rejected(source, errors);
    }

    public static Task<T> OnThread<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static string Sanitize(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
}
