using System.Text.Json;
using System.Text.Json.Serialization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Specs;

/// <summary>Reads an experiment spec from JSON (camelCase, enums as strings, unknown fields rejected).</summary>
public static class SpecFile
{
    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    public static ExperimentSpec Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new SpecFileException($"Spec file '{path}' does not exist (expected a JSON experiment spec, e.g. src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json).");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Loads and validates (structure, metric names, ranges); every problem is reported at once.</summary>
    public static ExperimentSpec LoadValid(string path)
    {
        var spec = Load(path);
        var errors = SpecValidator.Validate(spec);
        return errors.Count == 0 ? spec : throw Rejected(path, errors);
    }

    /// <summary>The exception for a spec with problems: one line per problem, "field: what is wrong (got value)".</summary>
    public static SpecFileException Rejected(string source, IReadOnlyList<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var lines = errors.Select(e => $"  {e.Field}: {e.Message}");
        return new SpecFileException($"spec '{source}' has {errors.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
    }

    public static ExperimentSpec Parse(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentSpec>(SpecForms.Normalize(json), JsonOptions)
                ?? throw new SpecFileException($"Spec file '{source}' is empty; expected a JSON object.");
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } p ? $" at '{p.TrimStart('$', '.')}'" : "";
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : "";
            throw new SpecFileException($"Spec file '{source}' is not a valid experiment spec{where}{line}: {ex.Message}", ex);
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,

            // Metrics, hypervolumes and reports may hold NaN or infinity (e.g. throughput of a zero latency); writing a
            // finished run's results must never throw on them.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}

public sealed class SpecFileException : Exception
{
    public SpecFileException(string message)
        : base(message)
    {
    }

    public SpecFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SpecFileException()
    {
    }
}
