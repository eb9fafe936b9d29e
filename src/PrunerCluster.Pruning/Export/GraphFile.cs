using System.Text.Json;
using System.Text.Json.Serialization;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Export;

/// <summary>
/// A <see cref="ModelGraph"/> as JSON (<c>model-graph.json</c>): what a TorchSharp export of an imported model ships next to its
/// weights, because an architecture record rebuilds only the built-in models' graphs. Non-finite clip bounds are written as
/// "Infinity"/"-Infinity".
/// </summary>
public static class GraphFile
{
    public const string FileName = "model-graph.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string ToJson(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return JsonSerializer.Serialize(graph, JsonOptions);
    }

    /// <summary>Reads a graph file; throws <see cref="InvalidDataException"/> naming the file when it is not a graph.</summary>
    public static ModelGraph Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Graph file '{path}' does not exist (written next to model.bin by a TorchSharp export of an imported model).", path);
        }

        try
        {
            var graph = JsonSerializer.Deserialize<ModelGraph>(File.ReadAllText(path), JsonOptions);
            return graph is { Nodes.Count: > 0 } ? graph : throw new InvalidDataException($"Graph file '{path}' holds no nodes; expected the JSON graph a TorchSharp export writes.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Graph file '{path}' is not a readable model graph: {e.Message}", e);
        }
    }
}
