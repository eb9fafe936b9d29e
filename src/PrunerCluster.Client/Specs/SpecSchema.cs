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

    /// <summary>The exporter drops null from "double?" written as anyOf (number or a named literal): add it back.</summary>
    private static JsonNode AllowNullForNullableNumbers(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (Nullable.GetUnderlyingType(context.TypeInfo.Type) is not null && schema is JsonObject { } o && o["anyOf"] is JsonArray anyOf
            && !anyOf.Any(a => a?["type"]?.ToJsonString().Contains("null", StringComparison.Ordinal) == true))
        {
            anyOf.Add(new JsonObject { ["type"] = "null" });
        }

        return schema;
    }
}
