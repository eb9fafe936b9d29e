using System.Text;
using System.Text.Json.Nodes;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;

namespace PrunerCluster.Client.Tests.Specs;

/// <summary>
/// Broken and hostile specs: seeded mutations of every shipped example, in text and in structure. Each one is read and
/// validated to a spec (valid or with its list of problems) or refused with a <see cref="SpecFileException"/>; nothing
/// else escapes, so a user never sees a stack trace for a bad spec.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SpecFuzzTests
{
    private const int CasesPerExample = 300;

    private const string Noise = "{}[]\":,0123456789ae-. \\";

    private static readonly JsonNode?[] Replacements = [null, 0, -1, 1e308, "", "x", true, new JsonArray(), new JsonObject(), new JsonArray(1, "a", null)];

    [Fact]
    public void Every_mutated_spec_is_read_and_validated_or_refused_with_a_clear_error()
    {
        var examples = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples"), "*.json");
        Assert.NotEmpty(examples);
        var random = new Random(1207);
        var escaped = new List<string>();
        var (refused, read) = (0, 0);
        foreach (var example in examples)
        {
            var text = File.ReadAllText(example);
            for (var i = 0; i < CasesPerExample; i++)
            {
                var mutated = i % 2 == 0 ? Text(text, random) : Structure(text, random);
                try
                {
                    _ = SpecValidator.Validate(SpecFile.Parse(mutated, "fuzz.json"));
                    read++;
                }
                catch (SpecFileException e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    refused++;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    escaped.Add($"{Path.GetFileName(example)} case {i}: {e.GetType().Name}: {e.Message}{Environment.NewLine}{mutated}");
                }
            }
        }

        Assert.True(escaped.Count == 0, string.Join(Environment.NewLine, escaped.Take(3)) + $"{Environment.NewLine}({escaped.Count} in all)");
        Assert.True(refused > read / 4, $"{refused} refused, {read} read: the mutations are too mild");
    }

    [Fact]
    public void A_field_given_twice_is_refused_with_its_line()
    {
        var e = Assert.Throws<SpecFileException>(() => SpecFile.Parse("{\n  \"name\": \"a\",\n  \"name\": \"b\"\n}", "twice.json"));
        Assert.Contains("twice.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_file_over_a_mebibyte_is_refused_before_it_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), "pc-huge-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{\"name\": \"" + new string('x', (int)SpecFile.MaxBytes) + "\"}");
        try
        {
            var e = Assert.Throws<SpecFileException>(() => SpecFile.Load(path));
            Assert.Contains("a spec is at most 1,048,576 bytes", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Text(string text, Random random)
    {
        var b = new StringBuilder(text);
        switch (random.Next(3))
        {
            case 0:
                for (var k = random.Next(1, 6); k > 0 && b.Length > 0; k--)
                {
                    b[random.Next(b.Length)] = Noise[random.Next(Noise.Length)];
                }

                return b.ToString();
            case 1:
                return text[..random.Next(text.Length)];
            default:
                var at = random.Next(text.Length);
                return text[..at] + text[random.Next(text.Length)..];
        }
    }

    private static string Structure(string text, Random random)
    {
        var root = JsonNode.Parse(text, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var target = containers[random.Next(containers.Count)];
        var replacement = Replacements[random.Next(Replacements.Length)]?.DeepClone();
        switch (target)
        {
            case JsonObject o when o.Count > 0:
                var key = o.ElementAt(random.Next(o.Count)).Key;
                if (random.Next(4) == 0)
                {
                    o.Remove(key);
                }
                else
                {
                    o[key] = replacement;
                }

                break;
            case JsonArray a when a.Count > 0:
                a[random.Next(a.Count)] = replacement;
                break;
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<JsonNode> containers)
    {
        if (node is JsonObject o)
        {
            containers.Add(o);
            foreach (var (_, child) in o)
            {
                if (child is not null)
                {
                    Collect(child, containers);
                }
            }
        }
        else if (node is JsonArray a)
        {
            containers.Add(a);
            foreach (var child in a)
            {
                if (child is not null)
                {
                    Collect(child, containers);
                }
            }
        }
    }
}
