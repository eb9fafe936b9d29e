using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Specs;

/// <summary>
/// Checks a spec document against <see cref="SpecSchema"/> before it is read, so every structural problem (unknown field,
/// wrong type, value not among the allowed ones, missing field) is reported at once with its path, the value and what is expected.
/// </summary>
public static class SpecShape
{
    private static readonly Lazy<JsonObject> Schema = new(SpecSchema.Create);

    public static IReadOnlyList<SpecError> Check(JsonNode? document)
    {
        var errors = new List<SpecError>();
        Visit(document, Schema.Value, "", errors);
        return errors;
    }

    private static void Visit(JsonNode? value, JsonNode? schema, string path, List<SpecError> errors)
    {
        if (schema is not JsonObject s)
        {
            return;
        }

        if (s["anyOf"] is JsonArray anyOf)
        {
            var options = anyOf.OfType<JsonObject>().ToArray();
            var accepted = options.Any(o =>
            {
                var trial = new List<SpecError>();
                Visit(value, o, path, trial);
                return trial.Count == 0;
            });
            if (!accepted)
            {
                errors.Add(Error(path, value, string.Join(" or ", options.Select(Expected))));
            }

            return;
        }

        if (s["enum"] is JsonArray allowed)
        {
            if (!allowed.Any(a => JsonNode.DeepEquals(a, value)))
            {
                errors.Add(Error(path, value, Expected(s)));
            }

            return;
        }

        var types = Types(s);
        var kind = Kind(value);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            errors.Add(Error(path, value, Expected(s)));
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                VisitObject(obj, s, path, errors);
                break;

            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Visit(array[i], s["items"], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), errors);
                }

                break;

            case JsonValue when kind == "string" && s["pattern"] is JsonValue pattern && !Regex.IsMatch((string)value!, (string)pattern!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)):
                errors.Add(Error(path, value, Expected(s)));
                break;
        }
    }

    /// <summary>Each field against its property schema; unknown fields where none are allowed, and missing required ones.</summary>
    private static void VisitObject(JsonObject obj, JsonObject s, string path, List<SpecError> errors)
    {
        var properties = s["properties"] as JsonObject;
        foreach (var (name, child) in obj)
        {
            var childPath = path.Length == 0 ? name : path + "." + name;
            if (properties?[name] is { } childSchema)
            {
                Visit(child, childSchema, childPath, errors);
            }
            else if (s["additionalProperties"] is JsonValue extra && extra.GetValueKind() == JsonValueKind.False)
            {
                var known = properties is null ? "" : string.Join(", ", properties.Select(p => p.Key));
                errors.Add(new SpecError(childPath, $"unknown field; expected one of: {known}"));
            }
        }

        if (s["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => (string?)r).OfType<string>().Where(n => !obj.ContainsKey(n)))
            {
                errors.Add(new SpecError(path.Length == 0 ? name : path + "." + name, "is required but missing"));
            }
        }
    }

    private static List<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonValue v => [(string)v!],
        JsonArray a => [.. a.Select(t => (string)t!)],
        _ => [],
    };

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "integer" : "number",
            _ => "null",
        },
        _ => "unknown",
    };

    private static string Expected(JsonObject schema)
    {
        if (schema["enum"] is JsonArray values)
        {
            return "one of " + string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"));
        }

        var types = Types(schema).Where(t => t != "null").Select(t => t switch
        {
            "integer" => "an integer",
            "number" => "a number",
            "string" when schema["pattern"] is not null && ((string?)schema["$comment"])?.Contains("TimeSpan", StringComparison.Ordinal) == true => "a duration \"hh:mm:ss\"",
            "string" => "a string",
            "boolean" => "true or false",
            "object" => "an object",
            "array" => "a list",
            _ => t,
        }).ToArray();
        var text = types.Length == 0 ? "a value" : string.Join(" or ", types);
        return Types(schema).Contains("null") ? text + " (or null)" : text;
    }

    private static SpecError Error(string path, JsonNode? value, string expected)
    {
        var shown = value?.ToJsonString() ?? "null";
        if (shown.Length > 60)
        {
            shown = shown[..57] + "...";
        }

        return new SpecError(path.Length == 0 ? "(document)" : path, $"got {shown}, expected {expected}");
    }
}
