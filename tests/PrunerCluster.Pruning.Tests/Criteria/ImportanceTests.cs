using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Criteria;

[Trait("Category", "Slow")]
public sealed class ImportanceTests
{
    public ImportanceTests() => TestSupport.Init();

    [Fact]
    public void L1RanksLargestFiltersFirstAndSumsTiedProducers()
    {
        using var model = ModelZoo.Create("vgg", 1, 16, 4, 1);
        using (torch.no_grad())
        {
            var w = model.named_parameters().Single(p => p.name == "conv2.weight").parameter;
            w.zero_();
            w[5].fill_(3.0);
            w[9].fill_(-2.0);
            w[1].fill_(1.0);
        }

        var rank = Importance.Rank(model, ImportanceCriterion.L1);
        Assert.Equal([5, 9, 1, 0], rank["conv2"].Take(4));
        Assert.Equal(rank.Keys.Order(), model.Architecture.Widths.Select(w => w.Group).Order());
    }

    [Fact]
    public void EveryCriterionGivesAPermutationPerGroup()
    {
        using var model = ModelZoo.Create("resnet", 1, 16, 4, 2);
        var data = TestSupport.Synthetic(64, size: 16);
        foreach (var criterion in Enum.GetValues<ImportanceCriterion>())
        {
            var rank = Importance.Rank(model, criterion, new ImportanceOptions { Data = data, Batches = 2, BatchSize = 16 });
            foreach (var w in model.Architecture.Widths)
            {
                Assert.Equal(Enumerable.Range(0, w.Units), rank[w.Group].Order());
            }
        }
    }

    [Fact]
    public void RandomIsSeededAndTaylorNeedsData()
    {
        using var model = ModelZoo.Create("mlp", 1, 16, 4, 2);
        var a = Importance.Rank(model, ImportanceCriterion.Random, new ImportanceOptions { Seed = 4 });
        var b = Importance.Rank(model, ImportanceCriterion.Random, new ImportanceOptions { Seed = 4 });
        var c = Importance.Rank(model, ImportanceCriterion.Random, new ImportanceOptions { Seed = 5 });
        Assert.Equal(a["fc1"], b["fc1"]);
        Assert.NotEqual(a["fc1"], c["fc1"]);
        Assert.Contains("Data", Assert.Throws<ArgumentException>(() => Importance.Rank(model, ImportanceCriterion.Taylor)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SensitivityCoversEveryGroupAndFraction()
    {
        using var model = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var data = TestSupport.Synthetic(64, size: 16);
        var points = SensitivityAnalysis.Run(model, data, [0.25, 0.5], samples: 64);
        Assert.Equal(4 * 2, points.Count);
        Assert.Equal(3, points.Single(p => p.Group == "conv1" && p.PrunedFraction == 0.5).KeptUnits);
        Assert.All(points, p => Assert.InRange(p.Accuracy, 0, 1));
    }
}
