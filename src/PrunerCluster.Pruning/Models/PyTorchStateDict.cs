using System.Collections;
using System.Globalization;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// PyTorch weights for a built-in architecture: a <c>state_dict</c> written by <c>torch.save(model.state_dict(), "m.pt")</c> or
/// <c>safetensors.torch.save_file(model.state_dict(), "m.safetensors")</c>, read through TorchSharp.PyBridge. Names are the
/// <see cref="ZooModel"/>'s own (<c>conv1.weight</c>, <c>bn1.running_mean</c>, ...), which a PyTorch module with attributes of the
/// same names produces; <see cref="Expected"/> lists them with their shapes. BatchNorm's <c>num_batches_tracked</c> may be absent.
/// </summary>
public static class PyTorchStateDict
{
    private const string BatchCounter = "num_batches_tracked";

    public static bool IsSafetensors(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>The names and shapes a state_dict for <paramref name="model"/> must hold, in the model's order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ZooModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.state_dict().Select(p => (p.Key, p.Value.shape)).ToArray();
    }

    /// <summary>Reads every tensor of the file (safetensors by extension, else torch.save's zip/pickle); the caller disposes them.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new StateDictException($"PyTorch weights '{path}' do not exist.");
        }

        try
        {
            using var stream = File.OpenRead(path);
            if (IsSafetensors(path))
            {
                return Safetensors.LoadStateDict(stream);
            }

            var table = PyTorchUnpickler.UnpickleStateDict(stream);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is string name && entry.Value is Tensor t)
                {
                    result[name] = t;
                }
                else
                {
                    throw new StateDictException($"'{path}' holds '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}; a state_dict maps names to tensors (save model.state_dict(), not the model).");
                }
            }

            return result;
        }
        catch (StateDictException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var format = IsSafetensors(path) ? "a safetensors file" : "a PyTorch state_dict written by torch.save(model.state_dict(), path)";
            throw new StateDictException($"'{path}' is not {format} (truncated or another format): {e.Message}", e);
        }
    }

    /// <summary>Every way <paramref name="stateDict"/> does not fit <paramref name="model"/>: missing, unexpected and mis-shaped names, with shapes.</summary>
    public static IReadOnlyList<string> Problems(ZooModel model, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stateDict);
        var expected = Expected(model);
        var names = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(e => !stateDict.ContainsKey(e.Name) && !e.Name.EndsWith(BatchCounter, StringComparison.Ordinal)).Select(e => $"{e.Name} {Shape(e.Shape)}").ToArray();
        var unexpected = stateDict.Where(p => !names.Contains(p.Key)).Select(p => $"{p.Key} {Shape(p.Value.shape)}").Order(StringComparer.Ordinal).ToArray();
        var misShaped = expected
            .Where(e => stateDict.TryGetValue(e.Name, out var t) && !t.shape.SequenceEqual(e.Shape) && !(e.Name.EndsWith(BatchCounter, StringComparison.Ordinal) && t.numel() == 1))
            .Select(e => $"{e.Name} is {Shape(stateDict[e.Name].shape)}, expected {Shape(e.Shape)}")
            .ToArray();
        var problems = new List<string>();
        if (missing.Length > 0)
        {
            problems.Add($"missing {missing.Length}: {string.Join(", ", missing)}");
        }

        if (unexpected.Length > 0)
        {
            problems.Add($"unexpected {unexpected.Length}: {string.Join(", ", unexpected)}");
        }

        if (misShaped.Length > 0)
        {
            problems.Add($"mis-shaped {misShaped.Length}: {string.Join("; ", misShaped)}");
        }

        return problems;
    }

    /// <summary>Throws <see cref="StateDictException"/> listing every problem when the file does not fit the model; else does nothing.</summary>
    public static void Check(ZooModel model, string path)
    {
        var stateDict = Read(path);
        try
        {
            ThrowIfMismatched(model, stateDict, path);
        }
        finally
        {
            DisposeAll(stateDict);
        }
    }

    /// <summary>Reads the file and copies its tensors into <paramref name="model"/> (cast to the model's dtype).</summary>
    public static void Load(ZooModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stateDict = Read(path);
        try
        {
            ThrowIfMismatched(model, stateDict, path);
            using var guard = torch.no_grad();
            foreach (var (name, target) in model.state_dict())
            {
                if (stateDict.TryGetValue(name, out var source))
                {
                    using var cast = source.to(target.dtype).reshape(target.shape);
                    target.copy_(cast);
                }
            }
        }
        finally
        {
            DisposeAll(stateDict);
        }
    }

    /// <summary>Writes <paramref name="model"/>'s state_dict as PyTorch would (torch.save zip, or safetensors by extension).</summary>
    public static void Save(ZooModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = File.Create(path);
        if (IsSafetensors(path))
        {
            Safetensors.SaveStateDict(stream, model.state_dict());
        }
        else
        {
            PyTorchPickler.PickleStateDict(stream, model.state_dict());
        }
    }

    private static void ThrowIfMismatched(ZooModel model, IReadOnlyDictionary<string, Tensor> stateDict, string path)
    {
        if (Problems(model, stateDict) is { Count: > 0 } problems)
        {
            throw new StateDictException($"PyTorch weights '{path}' do not fit '{model.Architecture.ToCanonicalString()}': {string.Join("; ", problems)}. The names and shapes each built-in architecture expects are listed in src/PrunerCluster.Pruning/Models/pytorch-state-dict.md.");
        }
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static void DisposeAll(Dictionary<string, Tensor> stateDict)
    {
        foreach (var t in stateDict.Values)
        {
            t.Dispose();
        }
    }
}
