using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Export;

/// <summary>A model card's data set is read back however the spec gave it: by catalog name, or by format and folder (also as an image folder).</summary>
[Trait("Category", "Unit")]
public sealed class ExportedDatasetTests
{
    private static readonly ArchitectureSpec Lenet = ModelZoo.DefaultArchitecture("lenet5", 3, 32, 10);

    private static ModelCard Card(string dataset) => new() { Model = "lenet5", Dataset = dataset, Architecture = Lenet };

    [Fact]
    public void A_data_set_given_by_format_is_read_from_the_card_and_a_new_root_replaces_its_folder()
    {
        var folder = new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = "/data/flowers", Name = "flowers", ImageSize = 24, TestFraction = 0.25 };
        var card = Card("flowers") with { DatasetSource = folder };

        Assert.Equal(folder, ExportedDataset.Resolve(card, dataRoot: null));
        Assert.Equal(folder with { Root = "/mnt/flowers" }, ExportedDataset.Resolve(card, "/mnt/flowers"));
        Assert.Equal(folder, ExportedDataset.Resolve(ModelCard.FromJson(card.ToJson()), dataRoot: null));
    }

    [Fact]
    public void Catalog_names_use_the_recorded_or_given_folder()
    {
        var named = ExportedDataset.Resolve(Card("cifar10") with { DataRoot = "/data/cifar-10-batches-bin" }, dataRoot: null);
        Assert.Equal(DatasetFormats.CifarBinary, named.Format);
        Assert.Equal("/data/cifar-10-batches-bin", named.Root);
        Assert.Equal("/elsewhere", ExportedDataset.Resolve(Card("fashion-mnist"), "/elsewhere").Root);
        Assert.Equal(DatasetCatalog.FashionMnistDefaultRoot, ExportedDataset.Resolve(Card("fashion-mnist"), dataRoot: null).Root);

        var e = Assert.Throws<DatasetException>(() => ExportedDataset.Resolve(Card("cifar10"), dataRoot: null));
        Assert.Contains("--data-root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_written_before_cards_recorded_their_data_set_falls_back_to_its_source_checkpoint()
    {
        var dir = TestSupport.TempDirectory();
        var weights = Path.Combine(dir, "baseline.bin");
        var source = new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = "/data/cifar", Name = "cifar", ValidationCount = 64 };
        File.WriteAllText(weights + ".json", new BaselineCheckpoint(weights, "lenet5", "cifar", "00", 0.5, 0.5, 1) { Source = source }.ToJson());

        Assert.Equal(source, ExportedDataset.Resolve(Card("cifar") with { SourceCheckpointPath = weights }, dataRoot: null));
    }

    [Fact]
    public void A_card_naming_no_known_data_set_is_refused_with_the_field_value_and_what_is_expected()
    {
        var e = Assert.Throws<DatasetException>(() => ExportedDataset.Resolve(Card("cifar") with { SourceCheckpointPath = "/nowhere/baseline.bin" }, dataRoot: null));
        Assert.Contains("dataset 'cifar'", e.Message, StringComparison.Ordinal);
        Assert.Contains("datasetSource", e.Message, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist, cifar10", e.Message, StringComparison.Ordinal);
    }
}
