namespace PrunerCluster.Testing;

internal static class TestPaths
{
    /// <summary>The repository root: the nearest ancestor of the test output that holds PrunerCluster.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ExampleSpec => Path.Combine(RepoRoot, "src", "PrunerCluster.Cli", "examples", "fashion-mnist-vgg.json");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PrunerCluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No PrunerCluster.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "prunercluster-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
