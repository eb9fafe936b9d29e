using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Specs;

/// <summary>Reads an experiment spec from JSON (camelCase, enums as strings, unknown fields rejected).</summary>
public static class SpecFile
{
    /// <summary>Largest spec file read (1 MiB).</summary>
    public const long MaxBytes = 1 << 20;

    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    public static ExperimentSpec Load(string path) => Read(path).Spec;

    /// <summary>Loads and validates (structure, metric names, ranges); every problem is reported at once, with its line.</summary>
    public static ExperimentSpec LoadValid(string path)
    {
        var (spec, lines) = Read(path);
        var errors = SpecValidator.Validate(spec);
        return errors.Count == 0 ? spec : throw Rejected(path, errors, lines);
    }

    /// <summary>Reads a JSON (or, by extension, YAML) spec file and the line of each field.</summary>
    public static (ExperimentSpec Spec, IReadOnlyDictionary<string, int> Lines) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new SpecFileException($"Spec file '{path}' does not exist (expected a JSON or YAML experiment spec, e.g. src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json).");
        }

        var size = new FileInfo(path).Length;
        if (size > MaxBytes)
        {
            throw new SpecFileException(string.Create(CultureInfo.InvariantCulture, $"Spec file '{path}' is {size:N0} bytes; a spec is at most {MaxBytes:N0} bytes (an experiment spec is a few dozen lines)."));
        }

        var text = File.ReadAllText(path);
        if (YamlSpec.IsYamlPath(path))
        {
            var (document, yamlLines) = YamlSpec.Parse(text, path);
            return (FromDocument(document, path, yamlLines), yamlLines);
        }

        var lines = JsonLineMap.Build(text);
        return (Parse(text, path), lines);
    }

    /// <summary>The exception for a spec with problems: one line per problem, "field: what is wrong (got value)".</summary>
    public static SpecFileException Rejected(string source, IReadOnlyList<SpecError> errors, IReadOnlyDictionary<string, int>? lineOf = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var lines = errors.Select(e => LineOf(lineOf, e.Field) is { } line ? $"  {e.Field} (line {line}): {e.Message}" : $"  {e.Field}: {e.Message}");
        return new SpecFileException($"spec '{source}' has {errors.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
    }

    public static ExperimentSpec Parse(string json, string source)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            if (DuplicateField(json, ex) is { } duplicate)
            {
                var at = duplicate.Line is { } dl ? string.Create(CultureInfo.InvariantCulture, $" at line {dl}") : "";
                throw new SpecFileException($"Spec file '{source}' is not valid{at}: field '{duplicate.Field}' is given twice in one object; keep one.", ex);
            }

            var line = ex.LineNumber is { } l
                ? ex.BytePositionInLine is { } c ? string.Create(CultureInfo.InvariantCulture, $" at line {l + 1}, column {c + 1}") : string.Create(CultureInfo.InvariantCulture, $" at line {l + 1}")
                : "";
            throw new SpecFileException($"Spec file '{source}' is not valid JSON{line}: {WithoutPosition(ex.Message)}", ex);
        }

        return FromDocument(document, source, JsonLineMap.Build(json));
    }

    /// <summary>
    /// The parser's message without its own zero-based " LineNumber: 4 | BytePositionInLine: 2." tail, so the error names
    /// one position, the one-based one before it.
    /// </summary>
    public static string WithoutPosition(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var trimmed = System.Text.RegularExpressions.Regex.Replace(message, @"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", "");
        return trimmed.Length > 0 && !trimmed.EndsWith('.') ? trimmed + "." : trimmed;
    }

    /// <summary>The field a duplicate-property error names and the line of its second occurrence (null line when not found).</summary>
    private static (string Field, int? Line)? DuplicateField(string json, JsonException ex)
    {
        var match = System.Text.RegularExpressions.Regex.Match(ex.Message, "Duplicate property '([^']*)'");
        if (!match.Success)
        {
            return null;
        }

        var field = match.Groups[1].Value;
        var key = new System.Text.RegularExpressions.Regex("\"" + System.Text.RegularExpressions.Regex.Escape(field) + "\"\\s*:");
        var lines = json.Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            seen += key.Count(lines[i]);
            if (seen >= 2)
            {
                return (field, i + 1);
            }
        }

        return (field, null);
    }

    /// <summary>Checks the document's shape (every problem at once), then reads it.</summary>
    public static ExperimentSpec FromDocument(JsonNode? document, string source, IReadOnlyDictionary<string, int>? lines = null)
    {
        if (document is not JsonObject)
        {
            throw new SpecFileException($"Spec file '{source}' must hold one object (the experiment spec); got {(document is null ? "nothing" : document.GetValueKind().ToString().ToLowerInvariant())}.");
        }

        var conflicts = SpecForms.Conflicts((JsonObject)document);
        var objectForms = SpecForms.ObjectForms((JsonObject)document);
        SpecForms.Normalize((JsonObject)document);
        var problems = conflicts.Concat(SpecShape.Check(document).Select(e => SpecForms.AsWritten(e, objectForms))).ToList();
        if (problems.Count > 0)
        {
            throw Rejected(source, problems, lines);
        }

        try
        {
            return document.Deserialize<ExperimentSpec>(JsonOptions)
                ?? throw new SpecFileException($"Spec file '{source}' is empty; expected a JSON object.");
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } p ? $" at '{p.TrimStart('$', '.')}'" : "";
            throw new SpecFileException($"Spec file '{source}' is not a valid experiment spec{where}: {ex.Message}", ex);
        }
    }

    /// <summary>The line of a field, else of the nearest enclosing value that has one (a missing field: its object).</summary>
    private static int? LineOf(IReadOnlyDictionary<string, int>? lines, string path)
    {
        while (lines is not null && path.Length > 0)
        {
            if (lines.TryGetValue(path, out var line))
            {
                return line;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut > 0 ? path[..cut] : "";
        }

        return null;
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
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
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
