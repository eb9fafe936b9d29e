using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrunerCluster.Evolution;

/// <summary>The JSON form shared by the search states: camelCase, nulls left out, enums as names, a version and an algorithm name checked on read.</summary>
internal static class SearchStateJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Write<T>(T state) => JsonSerializer.Serialize(state, Options);

    /// <summary>The state's "algorithm" property; <see cref="Nsga2.AlgorithmName"/> for states written before the property existed.</summary>
    public static string AlgorithmOf(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The search state is not a JSON object.");
        }

        if (!doc.RootElement.TryGetProperty("algorithm", out var a))
        {
            return Nsga2.AlgorithmName;
        }

        return a.ValueKind == JsonValueKind.String
            ? a.GetString()!
            : throw new FormatException("The search state's 'algorithm' is not a string.");
    }

    public static T Read<T>(string json, string algorithm, int version)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        var stored = AlgorithmOf(json);
        if (!string.Equals(stored, algorithm, StringComparison.Ordinal))
        {
            throw new FormatException($"The search state is for algorithm '{stored}', not '{algorithm}'.");
        }

        using (var doc = JsonDocument.Parse(json))
        {
            if (!doc.RootElement.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number)
            {
                throw new FormatException($"The {algorithm} state has no numeric 'version'.");
            }

            if (v.GetInt32() != version)
            {
                throw new FormatException($"{algorithm} state version {v.GetInt32()} is not supported (this library reads version {version}).");
            }
        }

        return JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"The {algorithm} state JSON is null.");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
