using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Grains.Tests.Hosting;

/// <summary>
/// Per-client limits on an in-process cluster: each client (here a declared name, as a cluster without TLS sees it) may
/// have only its own number of experiments active; the refusal names the limit, the client and the value, other clients
/// are not held back, and a client may submit again once one of its experiments ends.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClientLimitsClusterTests
{
    [Fact]
    public async Task Each_client_is_held_to_its_own_active_experiment_limit()
    {
        await using var cluster = await TestClusters.StartAsync([1], configure: o => o.Limits = new SubmissionLimits
        {
            PerClient = new ClientLimits { MaxActiveExperiments = 1 },
            Clients = [new ClientLimits { Client = "bob", MaxActiveExperiments = 2 }],
        });
        var client = cluster.Client;
        var spec = TestClusters.Spec("long", population: 4, maxEvaluations: 200, durationMs: 1000);

        var alice = await SubmitAsAsync(client, "alice", spec);
        Assert.True(alice.Accepted, string.Join("; ", alice.Errors));
        var refused = await SubmitAsAsync(client, "alice", spec);
        Assert.False(refused.Accepted);
        var error = Assert.Single(refused.Errors);
        Assert.Equal("client 'alice' (declared name, not authenticated) already runs 1 experiment(s), its limit (PrunerCluster:Limits:PerClient:MaxActiveExperiments = 1); cancel one or submit when one ends", error.Message);

        // bob has his own entry; a client that declares no name is one more client ("anonymous").
        Assert.True((await SubmitAsAsync(client, "bob", spec)).Accepted);
        Assert.True((await SubmitAsAsync(client, "bob", spec)).Accepted);
        var bobRefused = await SubmitAsAsync(client, "bob", spec);
        Assert.Contains("PrunerCluster:Limits:Clients:0:MaxActiveExperiments = 2", Assert.Single(bobRefused.Errors).Message, StringComparison.Ordinal);
        Assert.True((await SubmitAsAsync(client, null, spec)).Accepted);

        var listed = await client.GetExperimentRegistry().List();
        Assert.Equal(["anonymous", "name:alice", "name:bob", "name:bob"], listed.Select(r => r.Client!).Order(StringComparer.Ordinal));

        await client.GetExperiment(alice.ExperimentId!).Cancel();
        Assert.True((await SubmitAsAsync(client, "alice", spec)).Accepted);
        foreach (var row in await client.GetExperimentRegistry().List())
        {
            await client.GetExperiment(row.ExperimentId).Cancel();
        }
    }

    /// <summary>Submits with the name a client declares in the request context (what <c>--client-name</c> sends).</summary>
    private static async Task<SubmissionResult> SubmitAsAsync(IClusterClient client, string? name, ExperimentSpec spec)
    {
        await Task.Yield();
        if (name is null)
        {
            RequestContext.Remove(ClientIdentityHeaders.Name);
        }
        else
        {
            RequestContext.Set(ClientIdentityHeaders.Name, name);
        }

        try
        {
            return await client.SubmitExperimentAsync(spec);
        }
        finally
        {
            RequestContext.Remove(ClientIdentityHeaders.Name);
        }
    }
}
