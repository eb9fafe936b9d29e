using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// A small Go-template evaluator for helm/prunercluster, without Helm: control lines (if/else/end/with/range/define)
/// choose branches by the values' truthiness (<c>eq</c>/<c>ne</c> against a quoted literal compare; unknown conditions
/// take the first branch); whole-line expressions such as toYaml/include blocks are dropped; inline expressions become
/// the value they name (a value, <c>include</c> of a _helpers.tpl template, a variable set with <c>$x := include ...</c>
/// or <c>$x := printf "%s-..." $y</c>), or a placeholder. Enough to check the chart's structure and to run its pods,
/// not a Helm.
/// </summary>
internal static partial class ChartRenderer
{
    public static readonly string Chart = Path.Combine(RepoRoot(), "helm", "prunercluster");

    /// <summary>Helm's built-in objects as this renderer sees them: release "release", the chart's own name and versions.</summary>
    private static readonly Dictionary<string, string> Builtins = new(StringComparer.Ordinal)
    {
        [".Release.Name"] = "release",
        [".Release.Namespace"] = "default",
        [".Release.Service"] = "Helm",
        [".Chart.Name"] = ChartField("name"),
        [".Chart.Version"] = ChartField("version"),
        [".Chart.AppVersion"] = ChartField("appVersion"),
    };

    /// <summary>Every .yaml template rendered with <paramref name="values"/>, as YAML documents.</summary>
    public static List<YamlMappingNode> RenderAll(YamlMappingNode values) =>
        TemplateFiles().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal))
            .SelectMany(f => Parse(Path.GetFileName(f), Render(File.ReadAllText(f), values)))
            .ToList();

    public static string Render(string template, YamlMappingNode values) => Render(template, values, new Dictionary<string, string>(StringComparer.Ordinal), inline: false);

    /// <param name="inline">A helper template's body: a line that is one expression is its value, not a dropped block.</param>
    private static string Render(string template, YamlMappingNode values, Dictionary<string, string> variables, bool inline)
    {
        var output = new List<string>();
        var stack = new Stack<(bool Parent, bool Taken, bool Active, string Dot)>();
        var active = true;
        var dot = ".";
        foreach (var line in template.Split('\n'))
        {
            var trimmed = line.Trim();
            var control = ControlLine().Match(trimmed);
            if (control.Success)
            {
                var keyword = control.Groups["keyword"].Value;
                var argument = control.Groups["argument"].Value.Trim();
                switch (keyword)
                {
                    case "if" or "with" or "range" or "define":
                        var condition = keyword == "define" ? false : keyword == "range" || Truthy(argument, values);
                        stack.Push((active, condition, active, dot));
                        active = active && condition;
                        dot = keyword == "with" && ValuesPath().Match(argument) is { Success: true } with ? with.Value : dot;
                        break;
                    case "else":
                        var top = stack.Pop();
                        var elseIf = argument.StartsWith("if ", StringComparison.Ordinal);
                        var take = !top.Taken && (!elseIf || Truthy(argument[3..], values));
                        stack.Push((top.Parent, top.Taken || take, top.Parent && take, top.Dot));
                        active = top.Parent && take;
                        break;
                    case "end":
                        (active, _, _, dot) = stack.Pop();
                        break;
                }

                continue;
            }

            if (!active)
            {
                continue;
            }

            var assignment = Assignment().Match(trimmed);
            if (assignment.Success)
            {
                variables[assignment.Groups["name"].Value] = Resolve(assignment.Groups["expression"].Value.Trim(), values, variables);
                continue;
            }

            var block = Block().Match(trimmed);
            if (!inline && block.Success)
            {
                var indent = new string(' ', int.Parse(block.Groups["indent"].Value, CultureInfo.InvariantCulture));
                output.AddRange(BlockText(block, values, dot).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => indent + l));
                continue;
            }

            if (!inline && WholeLineExpression().IsMatch(trimmed))
            {
                continue;
            }

            output.Add(Expression().Replace(line, m => Resolve(m.Groups[1].Value.Trim(), values, variables)));
        }

        return string.Join('\n', output);
    }

    /// <summary>
    /// The text of a block expression (<c>include "NAME" .</c>, <c>toYaml PATH</c> or <c>toJson PATH</c>, piped to
    /// nindent); PATH is a .Values path or <c>.</c>, the value of the enclosing <c>with</c>.
    /// </summary>
    private static string BlockText(Match block, YamlMappingNode values, string dot)
    {
        if (block.Groups["include"].Success)
        {
            return Helpers().TryGetValue(block.Groups["include"].Value, out var body) ? Render(body, values, new Dictionary<string, string>(StringComparer.Ordinal), inline: true) : "";
        }

        var path = block.Groups["path"].Value == "." ? dot : block.Groups["path"].Value;
        if (!path.StartsWith(".Values", StringComparison.Ordinal) || !Lookup(values, path[".Values".Length..], out var node))
        {
            return "";
        }

        if (block.Groups["function"].Value == "toJson")
        {
            return YamlJson.ToJson(node);
        }

        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        var text = writer.ToString().TrimEnd();
        return text.EndsWith("...", StringComparison.Ordinal) ? text[..^3] : text;
    }

    public static YamlMappingNode LoadValues()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Chart, "values.yaml"))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static bool Lookup(YamlMappingNode root, string dottedPath, out YamlNode node)
    {
        node = root;
        foreach (var part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(part), out var child))
            {
                return false;
            }

            node = child;
        }

        return true;
    }

    /// <summary>Sets an existing values key (like <c>--set</c>); a key values.yaml does not have is an error.</summary>
    public static void Set(YamlMappingNode root, string dottedPath, string value) => Set(root, dottedPath, new YamlScalarNode(value));

    /// <summary>Sets an existing values key to a mapping or list (like <c>-f values.yaml</c>), or a scalar.</summary>
    public static void Set(YamlMappingNode root, string dottedPath, YamlNode value)
    {
        var parts = dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (!Lookup(root, "." + string.Join('.', parts[..^1]), out var parent) || parent is not YamlMappingNode mapping || !mapping.Children.ContainsKey(new YamlScalarNode(parts[^1])))
        {
            throw new ArgumentException($"values key {dottedPath} is not in values.yaml", nameof(dottedPath));
        }

        mapping.Children[new YamlScalarNode(parts[^1])] = value;
    }

    public static IEnumerable<string> TemplateFiles() => Directory.EnumerateFiles(Path.Combine(Chart, "templates")).Order(StringComparer.Ordinal);

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PrunerCluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No PrunerCluster.sln above {AppContext.BaseDirectory}.");
    }

    private static List<YamlMappingNode> Parse(string file, string rendered)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(rendered));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidOperationException($"{file} does not render to valid YAML: {ex.Message}{Environment.NewLine}{rendered}", ex);
        }

        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static bool Truthy(string condition, YamlMappingNode values)
    {
        var comparison = Comparison().Match(condition);
        if (comparison.Success)
        {
            var equal = Lookup(values, comparison.Groups["path"].Value, out var compared) && compared is YamlScalarNode { Value: { } value } && value == comparison.Groups["literal"].Value;
            return comparison.Groups["op"].Value == "eq" ? equal : !equal;
        }

        var negate = condition.StartsWith("not ", StringComparison.Ordinal);
        var path = ValuesPath().Match(condition);
        if (!path.Success || !Lookup(values, path.Groups[1].Value, out var node))
        {
            return true;
        }

        var truthy = node switch
        {
            YamlScalarNode s => !string.IsNullOrEmpty(s.Value) && s.Value is not ("false" or "0"),
            YamlMappingNode m => m.Children.Count > 0,
            YamlSequenceNode q => q.Children.Count > 0,
            _ => false,
        };
        return negate ? !truthy : truthy;
    }

    private static string Resolve(string expression, YamlMappingNode values, Dictionary<string, string> variables)
    {
        if (variables.TryGetValue(expression.TrimStart('$'), out var variable) && expression.StartsWith('$'))
        {
            return variable;
        }

        if (expression.EndsWith("| quote", StringComparison.Ordinal))
        {
            return "\"" + Resolve(expression[..^"| quote".Length].Trim(), values, variables) + "\"";
        }

        if (Builtins.TryGetValue(expression, out var builtin))
        {
            return builtin;
        }

        var include = Include().Match(expression);
        if (include.Success && Helpers().TryGetValue(include.Groups["name"].Value, out var body))
        {
            var rendered = Render(body, values, new Dictionary<string, string>(StringComparer.Ordinal), inline: true).Trim();
            if (rendered.Length > 0 && !rendered.Contains('\n', StringComparison.Ordinal))
            {
                return rendered;
            }
        }

        var printf = Printf().Match(expression);
        if (printf.Success)
        {
            var arguments = new Queue<string>(printf.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => Resolve(a, values, variables)));
            return PrintfVerb().Replace(printf.Groups["format"].Value, _ => arguments.Count > 0 ? arguments.Dequeue() : "placeholder");
        }

        var add = AddExpression().Match(expression);
        if (add.Success && Lookup(values, add.Groups[1].Value, out var a) && Lookup(values, add.Groups[2].Value, out var b))
        {
            return (long.Parse(((YamlScalarNode)a).Value!, CultureInfo.InvariantCulture) + long.Parse(((YamlScalarNode)b).Value!, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
        }

        var path = ValuesPath().Match(expression);
        if (path.Success && path.Index == 0 && Lookup(values, path.Groups[1].Value, out var node) && node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        return expression.Contains("Release.Name", StringComparison.Ordinal) || expression.Contains("fullname", StringComparison.Ordinal) ? "release-prunercluster" : "placeholder";
    }

    private static string ChartField(string key)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Chart, "Chart.yaml"))));
        return YamlPaths.Scalar(stream.Documents[0].RootNode, key) ?? throw new InvalidDataException($"helm/prunercluster/Chart.yaml has no {key}");
    }

    /// <summary>The named templates of _helpers.tpl ({{- define "NAME" -}} ... {{- end -}}), by name.</summary>
    private static Dictionary<string, string> Helpers()
    {
        var helpers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var body = new List<string>();
        var depth = 0;
        foreach (var line in File.ReadAllText(Path.Combine(Chart, "templates", "_helpers.tpl")).Split('\n'))
        {
            var control = ControlLine().Match(line.Trim());
            if (name is null)
            {
                var define = Define().Match(line.Trim());
                if (define.Success)
                {
                    (name, depth) = (define.Groups["name"].Value, 0);
                    body.Clear();
                }

                continue;
            }

            var keyword = control.Success ? control.Groups["keyword"].Value : "";
            depth += keyword is "if" or "with" or "range" ? 1 : keyword == "end" ? -1 : 0;
            if (depth < 0)
            {
                helpers[name] = string.Join('\n', body);
                name = null;
                continue;
            }

            body.Add(line);
        }

        return helpers;
    }

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    public static partial Regex ValuesPath();

    [GeneratedRegex(@"^\{\{-?\s*(?:include ""(?<include>[^""]+)"" \.|(?<function>toYaml|toJson) (?<path>\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.))\s*\|\s*nindent (?<indent>\d+)\s*-?\}\}$")]
    private static partial Regex Block();

    [GeneratedRegex(@"^\{\{-?\s*\$(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:=\s*(?<expression>.*?)\s*-?\}\}$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^include ""(?<name>[^""]+)"" \.$")]
    private static partial Regex Include();

    [GeneratedRegex(@"^\{\{-?\s*define ""(?<name>[^""]+)""\s*-?\}\}$")]
    private static partial Regex Define();

    [GeneratedRegex(@"^printf ""(?<format>[^""]*)"" (?<args>[^|]+)$")]
    private static partial Regex Printf();

    [GeneratedRegex(@"%s")]
    private static partial Regex PrintfVerb();

    [GeneratedRegex(@"^(?<op>eq|ne) \.Values(?<path>(?:\.[A-Za-z_][A-Za-z0-9_]*)+) ""(?<literal>[^""]*)""\s*-?$")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"^\{\{-?\s*(?<keyword>if|else|end|with|range|define)\b(?<argument>[^}]*)-?\}\}$")]
    private static partial Regex ControlLine();

    [GeneratedRegex(@"^\{\{-?.*-?\}\}$")]
    private static partial Regex WholeLineExpression();

    [GeneratedRegex(@"\{\{-?(.*?)-?\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"^add \.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+) \.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$")]
    private static partial Regex AddExpression();
}
