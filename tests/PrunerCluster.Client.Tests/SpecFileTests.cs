using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

public sealed class SpecFileTests
{
    [Fact]
    public void Shipped_example_parses_and_passes_structural_validation()
    {
        var spec = SpecFile.Load(TestPaths.ExampleSpec);

        Assert.Equal("fashion-mnist-vgg", spec.Name);
        Assert.Equal("torchsharp", spec.Backend);
        Assert.Equal("vgg", spec.Model);
        Assert.Equal("fashion-mnist", spec.Dataset);
        Assert.Equal(2, spec.Baseline.Epochs);
        Assert.Equal(
            [new ObjectiveDefinition(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize), new(MetricNames.LatencyMs, ObjectiveDirection.Minimize)],
            spec.Objectives);
        Assert.Equal([new ConstraintDefinition(MetricNames.AccuracyDrop, ConstraintOperator.LessOrEqual, 5.0)], spec.Constraints);
        Assert.Equal(SearchMode.SteadyState, spec.Search.Mode);
        Assert.Equal(12, spec.Search.PopulationSize);
        Assert.Equal(7UL, spec.Search.Seed);
        Assert.Equal(36, spec.Budget.MaxEvaluations);
        Assert.Equal(TimeSpan.FromMinutes(6), spec.Budget.WallClock);
        Assert.Equal(150, spec.Evaluation.FineTuneSteps);
        Assert.Equal(2000, spec.Evaluation.ValidationSamples);
        Assert.Empty(SpecValidator.Validate(spec));
    }

    [Fact]
    public void Unset_fields_keep_the_contract_defaults()
    {
        var spec = SpecFile.Parse("""{ "name": "minimal" }""", "inline");
        var defaults = new ExperimentSpec();
        Assert.Equal("minimal", spec.Name);
        Assert.Equal(defaults.Backend, spec.Backend);
        Assert.Equal(defaults.Search, spec.Search);
        Assert.Equal(defaults.Budget, spec.Budget);
        Assert.Equal(defaults.Objectives, spec.Objectives);
    }

    [Fact]
    public void Unknown_field_is_rejected_naming_its_path_and_line()
    {
        const string json = """
            {
              "name": "typo",
              "search": {
                "populationSize": 8,
                "popSize": 4
              }
            }
            """;
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse(json, "typo.json"));
        Assert.Contains("typo.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("popSize", ex.Message, StringComparison.Ordinal);
        Assert.Contains("search", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_enum_value_is_rejected_naming_the_field_and_line()
    {
        const string json = """
            {
              "name": "bad-enum",
              "search": { "mode": "sideways" }
            }
            """;
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse(json, "enum.json"));
        Assert.Contains("'search.mode'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_enum_inside_an_array_names_the_element()
    {
        const string json = """
            {
              "objectives": [
                { "metric": "accuracy", "direction": "maximize" },
                { "metric": "macs", "direction": "smaller" }
              ]
            }
            """;
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse(json, "array.json"));
        Assert.Contains("objectives[1]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_value_type_names_the_field()
    {
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "budget": { "maxEvaluations": "many" } }""", "type.json"));
        Assert.Contains("'budget.maxEvaluations'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_source_and_line()
    {
        const string json = """
            {
              "name": "broken",
              "model": "vgg"
              "dataset": "fashion-mnist"
            }
            """;
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse(json, "broken.json"));
        Assert.Contains("broken.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_document_is_rejected()
    {
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse("null", "null.json"));
        Assert.Contains("null.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "nope.json");
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_then_parse_round_trips_a_spec()
    {
        var spec = SpecFile.Load(TestPaths.ExampleSpec) with
        {
            Baseline = new BaselineSettings { Epochs = 1, Seed = 3, MaxTrainSamples = 512, MaxTestSamples = 256 },
            Synthetic = new SyntheticSettings { SegmentBits = [4, 8], Salt = "x" },
        };
        var back = SpecFile.Parse(SpecFile.Serialize(spec), "roundtrip");
        Assert.Equal(SpecFile.Serialize(spec), SpecFile.Serialize(back));
        Assert.Equal(spec.Baseline, back.Baseline);
        Assert.Equal(spec.Search, back.Search);
        Assert.Equal(spec.Objectives, back.Objectives);
    }
}
