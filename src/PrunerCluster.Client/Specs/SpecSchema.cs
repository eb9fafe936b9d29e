using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Specs;

/// <summary>The JSON schema of an experiment spec, generated from the contract types (so it never drifts from them).</summary>
public static class SpecSchema
{
    public const string Id = "urn:prunercluster:experiment-spec";

    public static JsonObject Create()
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(SpecFile.JsonOptions, typeof(ExperimentSpec), new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = AllowNullForNullableNumbers,
        }).AsObject();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = Id,
            ["title"] = "PrunerCluster experiment spec",
            ["description"] = "One pruning search: model, data set, objectives, constraints, search settings and budget. Metric names: " + string.Join(", ", MetricNames.All) + ".",
        };
        foreach (var (key, value) in schema.ToArray())
        {
            schema.Remove(key);
            root[key] = key == "type" ? "object" : value;
        }

        return root;
    }

    /// <summary>
    /// The exporter drops null from "double?" written as anyOf (number or a named literal): add it back. A type read by its own
    /// converter (<c>dataset.normalize</c>: a preset name or an object) gets its shape written out here.
    /// </summary>
    private static JsonNode AllowNullForNullableNumbers(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (context.TypeInfo.Type == typeof(InputNormalizationSpec))
        {
            return NormalizeSchema();
        }

        if (Nullable.GetUnderlyingType(context.TypeInfo.Type) is not null && schema is JsonObject { } o && o["anyOf"] is JsonArray anyOf
            && !anyOf.Any(a => a?["type"]?.ToJsonString().Contains("null", StringComparison.Ordinal) == true))
        {
            anyOf.Add(new JsonObject { ["type"] = "null" });
        }

        return schema;
    }

    /// <summary><c>dataset.normalize</c>: "dataset", "imagenet", "none" or { "mean": [...], "std": [...] }.</summary>
    private static JsonObject NormalizeSchema()
    {
        JsonObject Numbers() => new() { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "number" } };
        var presets = new JsonArray();
        foreach (var preset in InputNormalizationSpec.Presets)
        {
            presets.Add(preset);
        }

        presets.Add((JsonNode?)null);

        return new JsonObject
        {
            ["description"] = "Input normalisation, (pixel / 255 - mean[c]) / std[c]: \"dataset\" (default, the training files' per-channel statistics), \"imagenet\" (RGB), \"none\" ([0, 1]) or explicit mean and std, one value per channel.",
            ["anyOf"] = new JsonArray
            {
                new JsonObject { ["enum"] = presets },
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["mean"] = Numbers(), ["std"] = Numbers() },
                    ["required"] = new JsonArray { "mean", "std" },
                    ["additionalProperties"] = false,
                },
            },
        };
    }
}
