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

    /// <summary>
    /// A spec that writes the internal name <c>datasetSource</c> (what the object form of <c>dataset</c> becomes; spec.json
    /// of a run directory is written so) beside a <c>dataset</c> string naming something else: it would train on the
    /// folder while every header names the other data set. One name for one thing, so that is refused; so is the same
    /// for <c>modelSource</c> and <c>model</c>.
    /// </summary>
    public static List<PrunerCluster.Contracts.SpecError> Conflicts(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<PrunerCluster.Contracts.SpecError>();
        foreach (var (inner, field, tag) in new[] { ("datasetSource", "dataset", "format"), ("modelSource", "model", "zoo") })
        {
            if (Find(spec, inner) is not { } innerKey || spec[innerKey] is not JsonObject source || Find(spec, field) is not { } key || spec[key] is not JsonValue value || !value.TryGetValue<string>(out var named))
            {
                continue;
            }

            var own = Find(source, tag) is { } t && source[t] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
            var expected = inner == "modelSource" && Find(source, "onnx") is not null ? "onnx" : own;
            if (expected is not null && !string.Equals(named, expected, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new(innerKey, $"describes {tag} '{expected}' while \"{field}\" names '{named}'; give it once, as \"{field}\": {{...}}"));
            }
        }

        return errors;
    }

    /// <summary>The internal names <see cref="Normalize(JsonObject)"/> will fill from the object forms of <c>dataset</c> and <c>model</c>.</summary>
    public static HashSet<string> ObjectForms(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var moved = new HashSet<string>(StringComparer.Ordinal);
        if (Find(spec, "dataset") is { } d && spec[d] is JsonObject)
        {
            moved.Add("datasetSource");
        }

        if (Find(spec, "model") is { } m && spec[m] is JsonObject)
        {
            moved.Add("modelSource");
        }

        return moved;
    }

    /// <summary>A problem found after normalizing, named by the field the user wrote (<c>dataset.format</c>, not <c>datasetSource.format</c>).</summary>
    public static PrunerCluster.Contracts.SpecError AsWritten(PrunerCluster.Contracts.SpecError error, IReadOnlySet<string> objectForms)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(objectForms);
        foreach (var (inner, written) in new[] { ("datasetSource", "dataset"), ("modelSource", "model") })
        {
            if (objectForms.Contains(inner) && (error.Field == inner || error.Field.StartsWith(inner + ".", StringComparison.Ordinal) || error.Field.StartsWith(inner + "[", StringComparison.Ordinal)))
            {
                return error with { Field = written + error.Field[inner.Length..] };
            }
        }

        return error;
    }

    private static string? Find(JsonObject node, string name) =>
        node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}
