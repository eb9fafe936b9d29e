using System.IO.Compression;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Tests.Models;

/// <summary>
/// PyTorch weights for the built-in architectures, written with TorchSharp.PyBridge exactly as <c>torch.save(model.state_dict())</c> and
/// <c>safetensors.torch.save_file</c> write them (no Python), read back into a fresh model, and refused with every missing, unexpected and
/// mis-shaped name when they do not fit.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PyTorchStateDictTests : IDisposable
{
    private readonly string _dir = TestSupport.TempDirectory();

    public PyTorchStateDictTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> Models() => new()
    {
        { ModelZoo.Mlp, ".pt" },
        { ModelZoo.LeNet5, ".pth" },
        { ModelZoo.Vgg, ".pt" },
        { ModelZoo.ResNet, ".pt" },
        { ModelZoo.Mlp, ".safetensors" },
        { ModelZoo.Vgg, ".safetensors" },
        { ModelZoo.ResNet, ".safetensors" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void State_dict_written_as_pytorch_does_loads_back_with_equal_outputs(string kind, string extension)
    {
        using var source = ModelZoo.Create(kind, 3, 16, 5, seed: 11);
        RandomizeBatchNormStatistics(source);
        var path = Path.Combine(_dir, kind + extension);
        PyTorchStateDict.Save(source, path);

        using var target = ModelZoo.Create(kind, 3, 16, 5, seed: 12);
        PyTorchStateDict.Load(target, path);

        using var scope = torch.NewDisposeScope();
        source.eval();
        target.eval();
        var input = torch.randn([4, 3, 16, 16], generator: new Generator(5));
        using (torch.no_grad())
        {
            Assert.True(source.call(input).allclose(target.call(input), rtol: 0, atol: 0), $"{kind}{extension}: outputs differ after the round trip");
        }

        foreach (var (name, tensor) in source.state_dict())
        {
            Assert.True(tensor.allclose(target.state_dict()[name], rtol: 0, atol: 0), $"{name} differs after the round trip");
        }
    }

    [Fact]
    public void Pt_file_is_torch_save_zip_format_with_a_pickled_state_dict()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 1);
        var path = Path.Combine(_dir, "lenet.pt");
        PyTorchStateDict.Save(model, path);

        using var zip = ZipFile.OpenRead(path);
        Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        Assert.Contains(zip.Entries, e => e.FullName.Contains("/data/", StringComparison.Ordinal));

        // PyBridge's own loader (the path a user with load_py would take) reads it into a fresh model too.
        using var other = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 2);
        other.load_py(path);
        using var scope = torch.NewDisposeScope();
        Assert.True(model.state_dict()["conv1.weight"].allclose(other.state_dict()["conv1.weight"], rtol: 0, atol: 0));
    }

    [Fact]
    public void Missing_unexpected_and_mis_shaped_parameters_are_each_listed_with_names_and_shapes()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 1);
        using var scope = torch.NewDisposeScope();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        state.Remove("fc2.bias");
        state.Remove("conv1.weight");
        state["head.weight"] = torch.zeros(4, 84);
        state["fc1.weight"] = torch.zeros(120, 999);
        var path = Path.Combine(_dir, "bad.pt");
        using (var stream = File.Create(path))
        {
            PyTorchPickler.PickleStateDict(stream, state);
        }

        using var target = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 1);
        var error = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(target, path));
        Assert.Contains("'" + path + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing 2: conv1.weight [6, 1, 5, 5], fc2.bias [84]", error.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected 1: head.weight [4, 84]", error.Message, StringComparison.Ordinal);
        Assert.Contains("mis-shaped 1: fc1.weight is [120, 999], expected [120, 64]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("unexpected")]
    [InlineData("mis-shaped")]
    public void Each_kind_of_mismatch_alone_is_reported_in_safetensors_too(string kind)
    {
        using var model = ModelZoo.Create(ModelZoo.Mlp, 1, 8, 3, seed: 1);
        using var scope = torch.NewDisposeScope();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var expected = kind switch
        {
            "missing" => Remove(state, "fc3.weight", "missing 1: fc3.weight [3, 128]"),
            "unexpected" => Add(state, "fc4.weight", torch.zeros(2, 3), "unexpected 1: fc4.weight [2, 3]"),
            _ => Add(state, "fc1.bias", torch.zeros(255), "mis-shaped 1: fc1.bias is [255], expected [256]"),
        };
        var path = Path.Combine(_dir, kind + ".safetensors");
        using (var stream = File.Create(path))
        {
            Safetensors.SaveStateDict(stream, state);
        }

        using var target = ModelZoo.Create(ModelZoo.Mlp, 1, 8, 3, seed: 1);
        var error = Assert.Throws<StateDictException>(() => PyTorchStateDict.Check(target, path));
        Assert.EndsWith(expected + ". The names and shapes each built-in architecture expects are listed in src/PrunerCluster.Pruning/Models/pytorch-state-dict.md.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_counter_may_be_absent_as_in_older_pytorch_files()
    {
        using var model = ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, seed: 1);
        using var scope = torch.NewDisposeScope();
        var state = model.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value.clone());
        var path = Path.Combine(_dir, "old.pt");
        using (var stream = File.Create(path))
        {
            PyTorchPickler.PickleStateDict(stream, state);
        }

        using var target = ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, seed: 2);
        PyTorchStateDict.Load(target, path);
        Assert.True(model.state_dict()["bn3.running_var"].allclose(target.state_dict()["bn3.running_var"], rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(".pt")]
    [InlineData(".safetensors")]
    public void Truncated_or_foreign_file_is_a_clear_error_naming_the_file(string extension)
    {
        using var model = ModelZoo.Create(ModelZoo.Mlp, 1, 8, 3, seed: 1);
        var good = Path.Combine(_dir, "good" + extension);
        PyTorchStateDict.Save(model, good);
        var truncated = Path.Combine(_dir, "truncated" + extension);
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);

        var error = Assert.Throws<StateDictException>(() => PyTorchStateDict.Check(model, truncated));
        Assert.StartsWith($"'{truncated}' is not ", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or another format", error.Message, StringComparison.Ordinal);

        var torchSharpFormat = Path.Combine(_dir, "torchsharp" + extension);
        model.save(torchSharpFormat);
        Assert.Throws<StateDictException>(() => PyTorchStateDict.Check(model, torchSharpFormat));

        var missing = Assert.Throws<StateDictException>(() => PyTorchStateDict.Check(model, Path.Combine(_dir, "nowhere" + extension)));
        Assert.Contains("do not exist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_list_every_expected_name_and_shape_of_each_zoo_model()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "src", "PrunerCluster.Pruning", "Models", "pytorch-state-dict.md"));
        var rows = new List<string>();
        foreach (var kind in ModelZoo.Names)
        {
            using var model = ModelZoo.Create(kind, 1, 28, 10, seed: 0);
            rows.AddRange(PyTorchStateDict.Expected(model).Select(e => $"| `{kind}` | `{e.Name}` | [{string.Join(", ", e.Shape)}] |"));
        }

        var undocumented = rows.Where(r => !readme.Contains(r, StringComparison.Ordinal)).ToArray();
        Assert.True(undocumented.Length == 0, "src/PrunerCluster.Pruning/Models/pytorch-state-dict.md lacks rows:\n" + string.Join("\n", undocumented));
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PrunerCluster.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PrunerCluster.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Remove(Dictionary<string, Tensor> state, string name, string message)
    {
        state.Remove(name);
        return message;
    }

    private static string Add(Dictionary<string, Tensor> state, string name, Tensor value, string message)
    {
        state[name] = value;
        return message;
    }

    private static void RandomizeBatchNormStatistics(ZooModel model)
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var generator = new Generator(3);
        foreach (var (name, buffer) in model.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                buffer.copy_(torch.randn(buffer.shape, generator: generator) * 0.1);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                buffer.copy_(torch.rand(buffer.shape, generator: generator) + 0.5);
            }
        }

        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                p.copy_(torch.randn(p.shape, generator: generator) * 0.1);
            }
        }
    }
}
