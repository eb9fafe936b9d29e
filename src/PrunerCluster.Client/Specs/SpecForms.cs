using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrunerCluster.Client.Specs;

/// <summary>
/// Accepts the object forms <c>"dataset": {"format": ...}</c> and <c>"model": {"onnx": ...}</c> next to the string forms
/// (<c>"dataset": "fashion-mnist"</c>, <c>"model": "vgg"</c>): an object moves to <c>datasetSource</c>/<c>modelSource</c> and the string
/// field keeps its format or kind, so the rest of the system sees one shape.
/// </summary>
internal static class SpecForms
{
    public static string Normalize(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            // Let the typed deserializer report the syntax error with its position.
            return json;
        }

        if (root is not JsonObject spec)
        {
            return json;
        }

        return Normalize(spec) ? spec.ToJsonString() : json;
    }

    /// <summary>Moves object forms in place; true when something moved.</summary>
    public static bool Normalize(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var changed = false;
        if (Find(spec, "dataset") is { } datasetKey && spec[datasetKey] is JsonObject dataset)
        {
            spec.Remove(datasetKey);
            spec["datasetSource"] = dataset;
            spec["dataset"] = Find(dataset, "format") is { } f && dataset[f] is JsonValue format && format.TryGetValue<string>(out var text) ? text : "";
            changed = true;
        }

        if (Find(spec, "model") is { } modelKey && spec[modelKey] is JsonObject model)
        {
            spec.Remove(modelKey);
            spec["modelSource"] = model;
            var onnx = Find(model, "onnx") is not null;
            spec["model"] = onnx ? "onnx" : Find(model, "zoo") is { } z && model[z] is JsonValue zoo && zoo.TryGetValue<string>(out var kind) ? kind : "";
            changed = true;
        }

        return changed;
    }

    private static string? Find(JsonObject node, string name) =>
        node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}
