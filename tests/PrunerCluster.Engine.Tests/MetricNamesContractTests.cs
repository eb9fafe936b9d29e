using System.Reflection;
using ContractMetrics = PrunerCluster.Contracts.MetricNames;
using EngineMetrics = PrunerCluster.Pruning.Metrics.MetricNames;

namespace PrunerCluster.Engine.Tests;

/// <summary>The contract lists the metrics a spec may name; the engine must produce every one of them under the same name.</summary>
[Trait("Category", "Unit")]
public sealed class MetricNamesContractTests
{
    [Fact]
    public void EveryContractMetricIsAnEngineMetric()
    {
        var engine = typeof(EngineMetrics)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

        var missing = ContractMetrics.All.Where(m => !engine.Contains(m)).ToArray();

        Assert.True(missing.Length == 0, "metrics in the contract but not produced by the engine: " + string.Join(", ", missing));
    }
}
