using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PrunerCluster.Client.Specs;

/// <summary>
/// Reads a YAML spec into the same JSON document a JSON spec gives (plain scalars typed as YAML 1.2 core: null, booleans,
/// numbers; quoted scalars stay strings), so both go through one shape check and one reader.
/// </summary>
public static partial class YamlSpec
{
    public static bool IsYamlPath(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    public static (JsonNode? Document, IReadOnlyDictionary<string, int> Lines) Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SpecFileException($"Spec file '{source}' is not valid YAML at line {ex.Start.Line}: {ex.Message}", ex);
        }

        if (stream.Documents.Count != 1)
        {
            throw new SpecFileException($"Spec file '{source}' must hold exactly one YAML document, found {stream.Documents.Count}.");
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        return (Convert(stream.Documents[0].RootNode, "", lines), lines);
    }

    private static JsonNode? Convert(YamlNode node, string path, Dictionary<string, int> lines)
    {
        lines.TryAdd(path, (int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    var childPath = path.Length == 0 ? name : path + "." + name;
                    lines[childPath] = (int)key.Start.Line;
                    obj[name] = Convert(value, childPath, lines);
                }

                return obj;

            case YamlSequenceNode seq:
                var array = new JsonArray();
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    array.Add(Convert(seq.Children[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), lines));
                }

                return array;

            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style is not ScalarStyle.Plain)
                {
                    return JsonValue.Create(text);
                }

                if (text is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }

                if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(text.StartsWith('t') || text.StartsWith('T'));
                }

                if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return JsonValue.Create(integer);
                }

                if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return JsonValue.Create(number);
                }

                return JsonValue.Create(text);

            default:
                throw new SpecFileException($"YAML node at line {node.Start.Line} ({node.NodeType}) is not supported in a spec");
        }
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
