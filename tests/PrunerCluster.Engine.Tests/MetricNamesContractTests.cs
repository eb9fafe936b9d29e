using System.Reflection;
using System.Text.RegularExpressions;

namespace PrunerCluster.Engine.Tests;

/// <summary>One list of metric names for every layer: what specs may name is among what the engine records, each name once.</summary>
[Trait("Category", "Unit")]
public sealed partial class MetricNamesContractTests
{
    private static readonly string[] Constants = [.. typeof(MetricNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Fact]
    public void EveryNameASpecMayUseIsAConstantOfTheOneList()
    {
        var missing = MetricNames.All.Concat(MetricNames.Structural).Concat(MetricNames.Fractions).Where(m => !Constants.Contains(m, StringComparer.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "metrics named by the contract lists but not declared: " + string.Join(", ", missing));
    }

    [Fact]
    public void NamesAreUniqueLowercaseSnakeCase()
    {
        Assert.Equal(Constants.Length, Constants.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Constants, c => Assert.Matches(SnakeCase(), c));
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
