using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Grains;

[GenerateSerializer, Alias("prunercluster.RegistryState")]
public sealed class RegistryState
{
    [Id(0)] public List<ExperimentSummary> Experiments { get; set; } = [];
    [Id(1)] public long Submitted { get; set; }

    /// <summary>Experiments seen in a terminal state, never asked again when counting the active ones.</summary>
    [Id(2)] public HashSet<string> Finished { get; set; } = [];
}

/// <summary>Validates and starts experiments and lists them with their status.</summary>
internal sealed class ExperimentRegistryGrain(
    [PersistentState("registry", PrunerClusterStorage.Name)] IPersistentState<RegistryState> state,
    EvaluationBackendCatalog backends,
    IOptions<PrunerClusterSiloOptions> options,
    ClientIdentityResolver identities,
    TimeProvider time,
    ILogger<ExperimentRegistryGrain> logger) : Grain, IExperimentRegistryGrain
{
    public Task<SubmissionResult> Validate(ExperimentSpec spec) =>
        Task.FromResult(Check(spec) is { Count: > 0 } errors ? SubmissionResult.Rejected(errors) : new SubmissionResult { Accepted = true });

    public async Task<SubmissionResult> Submit(ExperimentSpec spec)
    {
        var errors = Check(spec);
        var (client, refused) = identities.Resolve(RequestContext.Get);

        // Read once: the certificate and its proof do not travel on with the calls this submission makes.
        foreach (var header in ClientIdentityHeaders.All)
        {
            RequestContext.Remove(header);
        }

        if (client is null)
        {
            errors.Add(new SpecError("client", refused ?? "unidentified"));
        }
        else if (errors.Count == 0)
        {
            var active = await ActiveExperiments();
            if (options.Value.Limits.CheckActive(active.Count) is { } busy)
            {
                errors.Add(busy);
            }

            errors.AddRange(options.Value.Limits.CheckClient(spec!, client, active.Count(row => row.Client == client.Key)));
        }

        if (errors.Count > 0)
        {
            Log.Rejected(logger, spec?.Name ?? "(null)", string.Join("; ", errors));
            return SubmissionResult.Rejected(errors);
        }

        var submittedAt = time.GetUtcNow();
        state.State.Submitted++;
        var experimentId = NewId(spec!.Name, submittedAt, state.State.Submitted);
        state.State.Experiments.Add(new ExperimentSummary { ExperimentId = experimentId, Name = spec.Name, SubmittedAt = submittedAt, Client = client!.Key });
        await state.WriteStateAsync();
        await GrainFactory.GetExperiment(experimentId).Start(spec, submittedAt);
        Log.Submitted(logger, experimentId, spec.Name, client.ToString());
        return new SubmissionResult { Accepted = true, ExperimentId = experimentId };
    }

    public async Task<IReadOnlyList<ExperimentSummary>> List()
    {
        var rows = await Task.WhenAll(state.State.Experiments.Select(async row =>
        {
            try
            {
                return row with { Status = await GrainFactory.GetExperiment(row.ExperimentId).GetStatus() };
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.StatusUnavailable(logger, ex, row.ExperimentId);
                return row;
            }
        }));
        return rows;
    }

    private List<SpecError> Check(ExperimentSpec? spec)
    {
        if (spec is null)
        {
            return [new SpecError("spec", "is required")];
        }

        var errors = SpecValidator.Validate(spec).ToList();
        errors.AddRange(options.Value.Limits.Check(spec));
        if (!string.IsNullOrWhiteSpace(spec.Backend))
        {
            errors.AddRange(backends.Validate(spec));
        }

        return errors;
    }

    /// <summary>
    /// Experiments not yet in a terminal state, asking only those not already known to have ended (one that does not
    /// answer counts as active); the ended ones are remembered with the next state write.
    /// </summary>
    private async Task<List<ExperimentSummary>> ActiveExperiments()
    {
        var open = state.State.Experiments.Where(row => !state.State.Finished.Contains(row.ExperimentId)).ToList();
        var ended = await Task.WhenAll(open.Select(async row =>
        {
            try
            {
                return (await GrainFactory.GetExperiment(row.ExperimentId).GetStatus()).State.IsTerminal();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.StatusUnavailable(logger, ex, row.ExperimentId);
                return false;
            }
        }));
        for (var i = 0; i < open.Count; i++)
        {
            if (ended[i])
            {
                state.State.Finished.Add(open[i].ExperimentId);
            }
        }

        return open.Where((_, i) => !ended[i]).ToList();
    }

    /// <summary>Readable, unique id: slug of the name plus a short content hash of name, time and sequence number.</summary>
    private static string NewId(string name, DateTimeOffset submittedAt, long sequence)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var text = slug.ToString().Trim('-');
        if (text.Length > 40)
        {
            text = text[..40];
        }

        var hash = Sha256Hex.Of(string.Create(CultureInfo.InvariantCulture, $"{name}|{submittedAt.UtcTicks}|{sequence}"));
        return string.Create(CultureInfo.InvariantCulture, $"{(text.Length == 0 ? "experiment" : text)}-{hash[..10]}");
    }
}
