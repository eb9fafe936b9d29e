using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;
using static PrunerCluster.Engine.Tests.Helm.YamlPaths;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// The rendered chart checked against the Kubernetes API's published schemas, not only against our renderer's idea of
/// it: tests/kubernetes-schema/validate.mjs validates each document with the npm package kubernetes-models (generated
/// from Kubernetes' OpenAPI document; types, required fields, enums). Those schemas allow unknown fields, so a misspelt
/// optional field passes them; HelmChartTests checks the fields the silo reads. Needs node and
/// <c>npm ci --prefix tests/kubernetes-schema</c> (cluster/scripts/install-prerequisites.sh runs it).
/// </summary>
[Trait("Category", "Container")]
public sealed class KubernetesSchemaTests(ITestOutputHelper output)
{
    private static readonly string Validator = Path.Combine(ChartRenderer.RepoRoot(), "tests", "kubernetes-schema");

    public static TheoryData<string> ValueSets => ["defaults", "everything-on", "small-cpu-cluster"];

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Every_rendered_document_is_valid_for_the_Kubernetes_API(string valueSet)
    {
        var documents = ChartRenderer.RenderAll(Values(valueSet));
        var result = await ValidateAsync(documents);
        output.WriteLine(result.Stdout + result.Stderr);
        Assert.True(result.ExitCode == 0, $"{valueSet}: the Kubernetes schemas reject the chart:{Environment.NewLine}{result.Stdout}{result.Stderr}");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(documents.Count, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("ok ", l, StringComparison.Ordinal));
        Assert.Contains("ok StatefulSet release-prunercluster-silo", lines);
    }

    [Fact]
    public async Task A_wrong_field_is_reported_with_its_document_and_path()
    {
        var documents = ChartRenderer.RenderAll(ChartRenderer.LoadValues());
        var silo = documents.Single(d => Scalar(d, "kind") == "StatefulSet");
        ((YamlMappingNode)Node(silo, "spec")!).Children[new YamlScalarNode("replicas")] = new YamlScalarNode("two") { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
        var result = await ValidateAsync(documents);
        Assert.Equal(1, result.ExitCode);
        var invalid = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("invalid ", StringComparison.Ordinal));
        Assert.Contains("StatefulSet release-prunercluster-silo", invalid, StringComparison.Ordinal);
        Assert.Contains("spec/replicas must be integer", invalid, StringComparison.Ordinal);
    }

    private static YamlMappingNode Values(string valueSet)
    {
        var values = ChartRenderer.LoadValues();
        var settings = valueSet switch
        {
            "defaults" => [],
            "everything-on" => new[]
            {
                (".coordinators.enabled", "true"), (".postgresql.enabled", "true"), (".experiment.enabled", "true"), (".dashboard.enabled", "true"),
                (".tls.enabled", "true"), (".tls.secretName", "prunercluster-tls"), (".telemetry.otlpEndpoint", "http://otel-collector:4317"),
                (".limits.perClient.maxActiveExperiments", "2"), (".silo.checkpointCache.existingClaim", "checkpoints"),
            },
            "small-cpu-cluster" => [(".silo.deviceKind", "cpu"), (".postgresql.enabled", "true"), (".experiment.enabled", "true"), (".image.pullPolicy", "Never")],
            _ => throw new ArgumentOutOfRangeException(nameof(valueSet), valueSet, "unknown value set"),
        };
        foreach (var (key, value) in settings)
        {
            ChartRenderer.Set(values, key, value);
        }

        if (valueSet == "everything-on")
        {
            ChartRenderer.Set(values, ".limits.clients", new YamlSequenceNode(new YamlMappingNode { { "client", "CN=nightly" }, { "maxActiveExperiments", "4" } }));
        }

        return values;
    }

    private static async Task<CommandResult> ValidateAsync(List<YamlMappingNode> documents)
    {
        if (!Directory.Exists(Path.Combine(Validator, "node_modules", "kubernetes-models")))
        {
            throw new InvalidOperationException($"{Validator}/node_modules has no kubernetes-models: run 'npm ci --prefix tests/kubernetes-schema' (cluster/scripts/install-prerequisites.sh does)");
        }

        var file = Path.Combine(Path.GetTempPath(), $"prunercluster-rendered-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(file, YamlDocuments.Write(documents));
            return await ChildProcess.RunAsync("node", [Path.Combine(Validator, "validate.mjs"), file], TimeSpan.FromMinutes(2), Validator);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
