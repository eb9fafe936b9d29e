using System.Reflection;
using System.Text.Json;

namespace PrunerCluster.Client.Tests;

/// <summary>The thin client (submit, status, watch...) must not pull TorchSharp or libtorch into its build.</summary>
[Trait("Category", "Unit")]
public sealed class DependencyClosureTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "libtorch", "PrunerCluster.Pruning", "PrunerCluster.Silo", "PrunerCluster.Grains"];

    [Fact]
    public void The_client_deps_json_lists_no_torch_package_or_model_project()
    {
        var depsPath = Path.Combine(AppContext.BaseDirectory, "prunercluster-client.deps.json");
        Assert.True(File.Exists(depsPath), depsPath);
        using var deps = JsonDocument.Parse(File.ReadAllText(depsPath));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains(libraries, l => l.StartsWith("Microsoft.Orleans.Core/", StringComparison.Ordinal));
        Assert.Contains(libraries, l => l.StartsWith("PrunerCluster.Contracts/", StringComparison.Ordinal));
        foreach (var forbidden in Forbidden)
        {
            Assert.DoesNotContain(libraries, l => l.StartsWith(forbidden, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void The_client_assembly_reference_closure_has_no_torch()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(PrunerCluster.Client.CommandLine.CliApp).Assembly]);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Add(reference.Name!))
                {
                    continue;
                }

                Assert.DoesNotContain(Forbidden, f => reference.Name!.StartsWith(f, StringComparison.OrdinalIgnoreCase));
                if (File.Exists(Path.Combine(AppContext.BaseDirectory, reference.Name + ".dll")))
                {
                    queue.Enqueue(Assembly.Load(reference));
                }
            }
        }

        Assert.Contains("Orleans.Core", seen);
        Assert.DoesNotContain(Directory.EnumerateFiles(AppContext.BaseDirectory), f => Path.GetFileName(f).StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(f).StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
    }
}
