using YamlDotNet.RepresentationModel;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>Navigation in parsed YAML: a node, a scalar or a sequence at a path of mapping keys (null or empty when absent).</summary>
internal static class YamlPaths
{
    public static YamlNode? Node(YamlNode root, params string[] path)
    {
        var node = root;
        foreach (var part in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(part), out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    public static string? Scalar(YamlNode root, params string[] path) => (Node(root, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Sequence(YamlNode root, string key) => Node(root, key) is YamlSequenceNode sequence ? sequence.Children : [];
}
