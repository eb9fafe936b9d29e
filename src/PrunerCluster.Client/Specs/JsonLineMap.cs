using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PrunerCluster.Client.Specs;

/// <summary>The 1-based line on which each value of a JSON document starts, by spec path ("search.mode", "objectives[1]").</summary>
public static class JsonLineMap
{
    public static IReadOnlyDictionary<string, int> Build(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        int LineOf(long offset)
        {
            var index = lineStarts.BinarySearch((int)offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }

        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new Stack<(bool IsArray, string Path, int Index)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                    var parent = stack.Count > 0 ? stack.Peek().Path : "";
                    map[parent.Length == 0 ? property! : parent + "." + property] = LineOf(reader.TokenStartIndex);
                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    stack.Pop();
                    continue;
                }

                var path = ValuePath(stack, property);
                map.TryAdd(path, LineOf(reader.TokenStartIndex));
                if (stack.Count > 0 && stack.Peek().IsArray)
                {
                    var top = stack.Pop();
                    stack.Push(top with { Index = top.Index + 1 });
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    stack.Push((reader.TokenType == JsonTokenType.StartArray, path, 0));
                }

                property = null;
            }
        }
        catch (JsonException)
        {
            // Malformed documents are reported by the parser itself; the lines found so far still help.
        }

        return map;
    }

    private static string ValuePath(Stack<(bool IsArray, string Path, int Index)> stack, string? property)
    {
        if (stack.Count == 0)
        {
            return "";
        }

        var (isArray, path, index) = stack.Peek();
        return isArray
            ? string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]")
            : path.Length == 0 ? property ?? "" : path + "." + property;
    }
}
