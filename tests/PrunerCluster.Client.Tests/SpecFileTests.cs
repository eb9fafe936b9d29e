using PrunerCluster.Testing;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

[Trait("Category", "Unit")]
public sealed class SpecFileTests
{
    [Fact]
    public void A_json_syntax_error_names_one_position_one_based()
    {
        var e = Assert.Throws<SpecFileException>(() => SpecFile.Parse("{\n  \"name\": \"x\",\n  \"model\": \"vgg\"\n  \"dataset\": \"d\"\n}", "bad.json"));

        Assert.StartsWith("Spec file 'bad.json' is not valid JSON at line 4, column 3: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", e.Message, StringComparison.Ordinal);
        Assert.Equal("'x' is invalid.", SpecFile.WithoutPosition("'x' is invalid. LineNumber: 4 | BytePositionInLine: 2."));
        Assert.Equal("Unexpected end.", SpecFile.WithoutPosition("Unexpected end. Path: $.a | LineNumber: 0 | BytePositionInLine: 9."));
    }

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
        Assert.Equal(16, spec.Search.PopulationSize);
        Assert.Equal(7UL, spec.Search.Seed);
        Assert.Equal([0, 100, 300], spec.Search.Fidelities!.Select(r => r.FineTuneSteps));
        Assert.Equal(1000, spec.Search.Fidelities![0].ValidationSamples);
        Assert.Equal(3, spec.Search.PromotionEta);
        Assert.True(spec.IsMultiFidelity);
        Assert.Equal(200, spec.Budget.MaxEvaluations);
        Assert.Equal(TimeSpan.FromSeconds(270), spec.Budget.WallClock);
        Assert.Equal(300, spec.Evaluation.FineTuneSteps);
        Assert.Equal(new FinalRecoverySettings { FineTuneSteps = 600, MaxMembers = 4, MaxDropPoints = 3.0 }, spec.FinalRecovery);
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
        Assert.Contains("search.popSize (line 5): unknown field; expected one of: populationSize,", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_structural_problem_is_reported_at_once_with_path_value_and_expectation()
    {
        const string json = """
            {
              "name": 7,
              "objectives": [ { "metric": "accuracy", "direction": "up" }, { "metrc": "macs", "direction": "minimize" } ],
              "search": { "populationSize": "twelve" },
              "budget": { "wallClock": "6 minutes" },
              "colour": "blue"
            }
            """;
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse(json, "many.json"));
        Assert.Contains("spec 'many.json' has 7 problem(s):", ex.Message, StringComparison.Ordinal);
        foreach (var expected in new[]
        {
            "name (line 2): got 7, expected a string",
            "objectives[0].direction (line 3): got \"up\", expected one of \"minimize\", \"maximize\"",
            "objectives[1].metrc (line 3): unknown field; expected one of: metric, direction",
            "objectives[1].metric (line 3): is required but missing",
            "search.populationSize (line 4): got \"twelve\", expected an integer",
            "budget.wallClock (line 5): got \"6 minutes\", expected a duration \"hh:mm:ss\"",
            "colour (line 6): unknown field",
        })
        {
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_yaml_spec_reads_like_its_json_twin_and_reports_problems_with_lines()
    {
        using var temp = new TempDirectory();
        var yaml = temp.File("spec.yaml", """
            # the example, in YAML
            name: yaml-spec
            backend: torchsharp
            model: vgg
            dataset: fashion-mnist
            baseline: { epochs: 2, seed: 1 }
            objectives:
              - { metric: accuracy, direction: maximize }
              - metric: macs
                direction: minimize
            constraints:
              - { metric: accuracy_drop, operator: lessOrEqual, threshold: 5.0 }
            search: { populationSize: 12, mode: steadyState, crossoverProbability: 0.9, seed: 7 }
            budget: { maxEvaluations: 36, wallClock: "00:06:00" }
            """);
        var spec = SpecFile.LoadValid(yaml);
        Assert.Equal("yaml-spec", spec.Name);
        Assert.Equal(12, spec.Search.PopulationSize);
        Assert.Equal(TimeSpan.FromMinutes(6), spec.Budget.WallClock);
        Assert.Equal(ObjectiveDirection.Minimize, spec.Objectives[1].Direction);
        Assert.Equal(5.0, spec.Constraints[0].Threshold);

        var bad = temp.File("bad.yml", "name: x\nsearch:\n  populationSize: lots\n  crossoverProbability: 2\n");
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.LoadValid(bad));
        Assert.Contains("search.populationSize (line 3): got \"lots\", expected an integer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recalibration_batches_are_read_from_json_and_yaml()
    {
        using var temp = new TempDirectory();
        var json = SpecFile.Parse("""{ "name": "recal", "evaluation": { "recalibrationBatches": 4 } }""", "inline");
        var yaml = SpecFile.Load(temp.File("recal.yaml", "name: recal\nevaluation:\n  recalibrationBatches: 0\n"));
        var unset = SpecFile.Parse("""{ "name": "recal" }""", "inline");

        Assert.Equal(4, json.Evaluation.RecalibrationBatches);
        Assert.Equal(0, yaml.Evaluation.RecalibrationBatches);
        Assert.Null(unset.Evaluation.RecalibrationBatches);
    }

    [Fact]
    public void The_yaml_example_is_the_json_example_in_another_syntax()
    {
        var examples = Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples");
        var json = SpecFile.LoadValid(Path.Combine(examples, "fashion-mnist-vgg-latency-energy.json"));
        var yaml = SpecFile.LoadValid(Path.Combine(examples, "fashion-mnist-vgg-latency-energy.yaml"));
        Assert.Equal(SpecFile.Serialize(json), SpecFile.Serialize(yaml));
        Assert.Equal(3, yaml.Objectives.Count);
    }

    [Fact]
    public void The_published_schema_describes_every_top_level_field_and_rejects_unknown_ones()
    {
        var schema = SpecSchema.Create();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal("object", (string?)schema["type"]);
        Assert.False((bool)schema["additionalProperties"]!);
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToArray();
        foreach (var field in new[] { "name", "backend", "model", "dataset", "objectives", "constraints", "search", "budget", "evaluation", "baseline" })
        {
            Assert.Contains(field, properties);
        }

        Assert.Equal(["minimize", "maximize"], schema["properties"]!["objectives"]!["items"]!["properties"]!["direction"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Empty(SpecShape.Check(System.Text.Json.Nodes.JsonNode.Parse(SpecFile.Serialize(SpecFile.Load(TestPaths.ExampleSpec)))));
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
        Assert.Contains("search.mode (line 3): got \"sideways\", expected one of \"steadyState\", \"generational\"", ex.Message, StringComparison.Ordinal);
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
        Assert.Contains("objectives[1].direction (line 4): got \"smaller\", expected one of \"minimize\", \"maximize\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_value_type_names_the_field()
    {
        var ex = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "budget": { "maxEvaluations": "many" } }""", "type.json"));
        Assert.Contains("budget.maxEvaluations (line 1): got \"many\", expected an integer", ex.Message, StringComparison.Ordinal);
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
        Assert.Equal(spec.Search with { Fidelities = null }, back.Search with { Fidelities = null });
        Assert.Equal(spec.Search.Fidelities, back.Search.Fidelities);
        Assert.Equal(spec.Objectives, back.Objectives);
    }
}
