using System.Text;
using YamlDotNet.RepresentationModel;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>YAML documents written as one multi-document text ("---" before each), as kubectl and podman read them.</summary>
internal static class YamlDocuments
{
    public static string Write(IEnumerable<YamlNode> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            using var writer = new StringWriter();
            new YamlStream(new YamlDocument(document)).Save(writer, assignAnchors: false);
            var yaml = writer.ToString().TrimEnd();
            text.Append("---\n").Append(yaml.EndsWith("...", StringComparison.Ordinal) ? yaml[..^3].TrimEnd() : yaml).Append('\n');
        }

        return text.ToString();
    }
}
