using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DataQualityWarningsTests
{
    /// <summary>1x2x2 images labelled round-robin over <paramref name="classes"/>.</summary>
    private static ImageDataset Split(int images, int classes) =>
        new("v", new byte[images * 4], [.. Enumerable.Range(0, images).Select(i => (byte)(i % classes))], 1, 2, classes);

    [Fact]
    public void A_validation_split_with_few_images_per_class_is_named_with_its_numbers()
    {
        var warning = Assert.Single(DataQualityWarnings.For(Split(36, 4), 5000, null));
        Assert.Contains("36 images scored for 4 classes, 9 in class 0", warning, StringComparison.Ordinal);
        Assert.Contains("±16.3 points", warning, StringComparison.Ordinal);
        Assert.Contains("evaluation.validationSamples", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_images_an_evaluation_scores_count()
    {
        Assert.Empty(DataQualityWarnings.For(Split(400, 10), 5000, null));
        Assert.Single(DataQualityWarnings.For(Split(400, 10), 200, null));
    }

    [Fact]
    public void A_barely_trained_baseline_is_named_with_its_steps()
    {
        var steps = DataQualityWarnings.Steps(epochs: 1, images: 36, batchSize: 128);
        Assert.Equal(1, steps);
        var warning = Assert.Single(DataQualityWarnings.For(Split(400, 10), 5000, (steps, 1, 36, 128)));
        Assert.Contains("only 1 optimizer steps (1 epoch(s) of 36 images at batch 128", warning, StringComparison.Ordinal);
        Assert.Empty(DataQualityWarnings.For(Split(400, 10), 5000, (DataQualityWarnings.Steps(2, 55000, 128), 2, 55000, 128)));
    }
}
