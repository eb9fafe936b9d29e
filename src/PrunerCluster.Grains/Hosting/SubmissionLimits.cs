using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Hosting;

/// <summary>
/// What one submission may ask of the cluster ("PrunerCluster:Limits"), checked before anything runs: limits for the whole
/// cluster, and per client (<see cref="PerClient"/> for every client, <see cref="Clients"/> for named ones). A client is
/// who <see cref="ClientIdentity"/> says: its certificate with mutual TLS, else a name it declares (advisory only).
/// </summary>
public sealed class SubmissionLimits
{
    public const string SectionName = "PrunerCluster:Limits";

    /// <summary>Largest <c>search.populationSize</c>.</summary>
    public int MaxPopulation { get; set; } = 1024;

    /// <summary>Largest <c>budget.maxEvaluations</c>; a spec must set one (or a wall clock) anyway.</summary>
    public int MaxEvaluations { get; set; } = 100_000;

    /// <summary>Experiments that may be queued or running at once; a submission beyond them is refused until one ends.</summary>
    public int MaxActiveExperiments { get; set; } = 64;

    /// <summary>Every client's limits, unless an entry of <see cref="Clients"/> names it; an unset value leaves only the cluster's.</summary>
    public ClientLimits PerClient { get; set; } = new();

    /// <summary>Limits of named clients (the first entry that names a client counts); a value they leave unset is <see cref="PerClient"/>'s.</summary>
    public List<ClientLimits> Clients { get; set; } = [];

    /// <summary>The spec's fields beyond the limits, each naming the value, the limit and the setting that raises it.</summary>
    public IReadOnlyList<SpecError> Check(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        if (spec.Search.PopulationSize > MaxPopulation)
        {
            errors.Add(new("search.populationSize", string.Create(CultureInfo.InvariantCulture, $"{spec.Search.PopulationSize} is over this cluster's limit of {MaxPopulation} (PrunerCluster:Limits:MaxPopulation)")));
        }

        if (spec.Budget.MaxEvaluations is { } evaluations && evaluations > MaxEvaluations)
        {
            errors.Add(new("budget.maxEvaluations", string.Create(CultureInfo.InvariantCulture, $"{evaluations} is over this cluster's limit of {MaxEvaluations} (PrunerCluster:Limits:MaxEvaluations)")));
        }

        return errors;
    }

    /// <summary>The refusal when <paramref name="active"/> experiments are already queued or running, else null.</summary>
    public SpecError? CheckActive(int active) =>
        active >= MaxActiveExperiments
            ? new("spec", string.Create(CultureInfo.InvariantCulture, $"the cluster already runs {active} experiment(s), its limit (PrunerCluster:Limits:MaxActiveExperiments = {MaxActiveExperiments}); cancel one or submit when one ends"))
            : null;

    /// <summary>
    /// The spec's fields beyond <paramref name="client"/>'s own limits, and the refusal when it already has as many
    /// experiments queued or running as it may (<paramref name="active"/>); each names the limit, the client and the value.
    /// </summary>
    public IReadOnlyList<SpecError> CheckClient(ExperimentSpec spec, ClientIdentity client, int active)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(client);
        var errors = new List<SpecError>();
        if (For(client, nameof(ClientLimits.MaxPopulation)) is ({ } population, var populationSetting) && spec.Search.PopulationSize > population)
        {
            errors.Add(new("search.populationSize", string.Create(CultureInfo.InvariantCulture, $"{spec.Search.PopulationSize} is over the limit of {population} for {client} ({populationSetting})")));
        }

        if (For(client, nameof(ClientLimits.MaxEvaluations)) is ({ } evaluations, var evaluationsSetting) && spec.Budget.MaxEvaluations is { } asked && asked > evaluations)
        {
            errors.Add(new("budget.maxEvaluations", string.Create(CultureInfo.InvariantCulture, $"{asked} is over the limit of {evaluations} for {client} ({evaluationsSetting})")));
        }

        if (For(client, nameof(ClientLimits.MaxActiveExperiments)) is ({ } experiments, var experimentsSetting) && active >= experiments)
        {
            errors.Add(new("spec", string.Create(CultureInfo.InvariantCulture, $"{client} already runs {active} experiment(s), its limit ({experimentsSetting} = {experiments}); cancel one or submit when one ends")));
        }

        return errors;
    }

    /// <summary>
    /// The client's value of one limit (<paramref name="limit"/>: a <see cref="ClientLimits"/> property name) and the
    /// setting it comes from; (null, null) when only the cluster's holds.
    /// </summary>
    public (int? Value, string? Setting) For(ClientIdentity client, string limit)
    {
        ArgumentNullException.ThrowIfNull(client);
        var index = Clients.FindIndex(c => c.Client is { Length: > 0 } name && client.Matches(name));
        if (index >= 0 && Clients[index].Get(limit) is { } named)
        {
            return (named, string.Create(CultureInfo.InvariantCulture, $"{SectionName}:Clients:{index}:{limit}"));
        }

        return PerClient.Get(limit) is { } every ? (every, $"{SectionName}:PerClient:{limit}") : (null, null);
    }

    public IEnumerable<string> Problems()
    {
        foreach (var problem in PerClient.Problems($"{SectionName}:PerClient"))
        {
            yield return problem;
        }

        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Clients.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{SectionName}:Clients:{i}");
            if (string.IsNullOrWhiteSpace(Clients[i].Client))
            {
                yield return $"{prefix}:Client must name a client: a certificate subject (e.g. 'CN=alice'), a SHA-256 certificate thumbprint, or a declared client name.";
            }
            else if (!named.Add(Clients[i].Client!.Trim()))
            {
                yield return $"{prefix}:Client '{Clients[i].Client}' is named by an earlier entry too; give each client one entry.";
            }

            foreach (var problem in Clients[i].Problems(prefix))
            {
                yield return problem;
            }
        }

        if (MaxPopulation < 2)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{SectionName}:MaxPopulation must be at least 2, got {MaxPopulation}.");
        }

        if (MaxEvaluations < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{SectionName}:MaxEvaluations must be at least 1, got {MaxEvaluations}.");
        }

        if (MaxActiveExperiments < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{SectionName}:MaxActiveExperiments must be at least 1, got {MaxActiveExperiments}.");
        }
    }
}

/// <summary>One client's limits (or every client's, as <see cref="SubmissionLimits.PerClient"/>); unset values impose nothing.</summary>
public sealed class ClientLimits
{
    /// <summary>Which client (in <see cref="SubmissionLimits.Clients"/>): a certificate subject such as <c>CN=alice</c>, a SHA-256 thumbprint, or a declared name.</summary>
    public string? Client { get; set; }

    /// <summary>Experiments this client may have queued or running at once.</summary>
    public int? MaxActiveExperiments { get; set; }

    /// <summary>Largest <c>search.populationSize</c> this client may ask.</summary>
    public int? MaxPopulation { get; set; }

    /// <summary>Largest <c>budget.maxEvaluations</c> this client may ask.</summary>
    public int? MaxEvaluations { get; set; }

    /// <summary>A limit by its property name.</summary>
    public int? Get(string limit) => limit switch
    {
        nameof(MaxActiveExperiments) => MaxActiveExperiments,
        nameof(MaxPopulation) => MaxPopulation,
        nameof(MaxEvaluations) => MaxEvaluations,
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, "not a client limit"),
    };

    public IEnumerable<string> Problems(string prefix)
    {
        if (MaxActiveExperiments is < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{prefix}:MaxActiveExperiments must be at least 1, got {MaxActiveExperiments}.");
        }

        if (MaxPopulation is < 2)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{prefix}:MaxPopulation must be at least 2, got {MaxPopulation}.");
        }

        if (MaxEvaluations is < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{prefix}:MaxEvaluations must be at least 1, got {MaxEvaluations}.");
        }
    }
}
