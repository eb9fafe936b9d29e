using System.Security.Cryptography;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DatasetPinTests
{
    [Fact]
    public void A_pin_holds_the_sha256_of_every_file_under_the_root_by_relative_path()
    {
        var root = TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(root, "train.bin"), "train");
        Directory.CreateDirectory(Path.Combine(root, "cats"));
        File.WriteAllText(Path.Combine(root, "cats", "1.png"), "cat");

        var pin = DatasetPin.Compute(root);
        Assert.Equal(["cats/1.png", "train.bin"], pin.Keys);
        Assert.Equal(Sha256Hex.Of("train"u8), pin["train.bin"]);
        Assert.Null(DatasetPin.Mismatch(pin, root, "silo-a"));

        var manifest = DatasetPin.ManifestText(pin);
        Assert.Equal($"cats/1.png\t{pin["cats/1.png"]}\ntrain.bin\t{pin["train.bin"]}\n", manifest);
        Assert.Equal(pin, DatasetPin.ParseManifest(manifest));
        Assert.Equal(Sha256Hex.Of(System.Text.Encoding.UTF8.GetBytes(manifest)), DatasetPin.ContentHash(pin));
        Assert.Throws<InvalidDataException>(() => DatasetPin.ParseManifest("no tab here\n"));
    }

    [Fact]
    public void A_copy_that_differs_is_named_with_its_file_and_both_hashes()
    {
        var root = TestSupport.TempDirectory();
        var file = Path.Combine(root, "labels.gz");
        File.WriteAllText(file, "labels");
        var pin = DatasetPin.Compute(root);

        File.WriteAllText(file, "labels, another release");
        var changed = Sha256Hex.Of(File.ReadAllBytes(file));
        var message = DatasetPin.Mismatch(pin, root, "silo-b");
        Assert.Equal($"data set file '{file}' on silo silo-b has SHA-256 {changed}, the experiment pinned {pin["labels.gz"]}", message);

        File.Delete(file);
        Assert.Contains("is missing on silo silo-b", DatasetPin.Mismatch(pin, root, "silo-b"), StringComparison.Ordinal);

        File.WriteAllText(file, "labels");
        File.WriteAllText(Path.Combine(root, "extra.bin"), "x");
        Assert.Contains("extra.bin' on silo silo-b has SHA-256", DatasetPin.Mismatch(pin, root, "silo-b"), StringComparison.Ordinal);
        Assert.Contains("pinned no such file", DatasetPin.Mismatch(pin, root, "silo-b"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_root_cannot_be_pinned_and_every_pinned_file_is_missing_from_it()
    {
        var missing = Path.Combine(TestSupport.TempDirectory(), "absent");
        Assert.Throws<DatasetException>(() => DatasetPin.Compute(missing));
        var pin = new Dictionary<string, string> { ["a.bin"] = new string('a', 64) };
        Assert.Contains("is missing on silo", DatasetPin.Mismatch(pin, missing, "s"), StringComparison.Ordinal);
    }
}
