using PrunerCluster.Contracts;

namespace PrunerCluster.Contracts.Tests;

/// <summary><c>dataset.normalize</c> is checked before any work: each problem names the field path, the value and what is expected.</summary>
[Trait("Category", "Unit")]
public sealed class NormalizeValidationTests
{
    private static ExperimentSpec Spec(DatasetSourceSpec data) =>
        new() { Name = "norm", Model = "onnx", ModelSource = new() { Onnx = "/m/net.onnx" }, Dataset = data.Format, DatasetSource = data };

    private static readonly DatasetSourceSpec Rgb = new() { Format = DatasetSourceSpec.ImageFolder, Root = "/data/flowers", ImageSize = 32 };

    private static readonly DatasetSourceSpec Gray = new() { Format = DatasetSourceSpec.Idx, Root = "/data/digits" };

    private static SpecError Single(DatasetSourceSpec data) => Assert.Single(SpecValidator.Validate(Spec(data)));

    [Fact]
    public void Presets_and_fitting_constants_are_valid()
    {
        foreach (var preset in InputNormalizationSpec.Presets)
        {
            Assert.Empty(SpecValidator.Validate(Spec(Rgb with { Normalize = InputNormalizationSpec.Named(preset) })));
        }

        Assert.Empty(SpecValidator.Validate(Spec(Rgb with { Normalize = InputNormalizationSpec.Explicit([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]) })));
        Assert.Empty(SpecValidator.Validate(Spec(Gray with { Normalize = InputNormalizationSpec.Explicit([0.286], [0.353]) })));
        Assert.Empty(SpecValidator.Validate(Spec(Gray with { Normalize = InputNormalizationSpec.Named("none") })));
        Assert.Empty(SpecValidator.Validate(Spec(new() { Format = DatasetSourceSpec.CifarBinary, Root = "/c", Normalize = InputNormalizationSpec.Named("imagenet") })));
    }

    [Fact]
    public void An_unknown_preset_names_the_value_and_the_choices()
    {
        var e = Single(Rgb with { Normalize = InputNormalizationSpec.Named("imagenet1k") });
        Assert.Equal("dataset.normalize", e.Field);
        Assert.Contains("'imagenet1k'", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"dataset\", \"imagenet\", \"none\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"mean\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imagenet_on_a_one_channel_set_is_refused()
    {
        var idx = Single(Gray with { Normalize = InputNormalizationSpec.Named("imagenet") });
        Assert.Equal("dataset.normalize", idx.Field);
        Assert.Contains("3 channels", idx.Message, StringComparison.Ordinal);
        Assert.Contains("has 1 channel(s)", idx.Message, StringComparison.Ordinal);

        var grayFolder = Single(Rgb with { Channels = 1, Normalize = InputNormalizationSpec.Named("imagenet") });
        Assert.Equal("dataset.normalize", grayFolder.Field);
        Assert.Contains("has 1 channel(s)", grayFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_constants_must_have_one_value_per_channel()
    {
        var errors = SpecValidator.Validate(Spec(Rgb with { Normalize = InputNormalizationSpec.Explicit([0.5], [0.2, 0.2, 0.2, 0.2]) }));
        Assert.Equal(["dataset.normalize.mean", "dataset.normalize.std"], errors.Select(e => e.Field));
        Assert.Contains("has 1 value(s) [0.5], expected 3", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("has 4 value(s)", errors[1].Message, StringComparison.Ordinal);

        var gray = Single(Gray with { Normalize = InputNormalizationSpec.Explicit([0.5, 0.5, 0.5], [0.2]) });
        Assert.Equal("dataset.normalize.mean", gray.Field);
        Assert.Contains("expected 1", gray.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_std_must_be_above_zero_and_every_value_finite()
    {
        var errors = SpecValidator.Validate(Spec(Rgb with { Normalize = InputNormalizationSpec.Explicit([0.5, double.NaN, 0.5], [0.2, 0, -0.1]) }));
        Assert.Equal(["dataset.normalize.mean[1]", "dataset.normalize.std[1]", "dataset.normalize.std[2]"], errors.Select(e => e.Field));
        Assert.Contains("got 0, expected a finite number above 0", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("got -0.1", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_given_or_doubly_given_constants_are_refused()
    {
        var noStd = Single(Rgb with { Normalize = new InputNormalizationSpec { Mean = [0.5, 0.5, 0.5] } });
        Assert.Equal("dataset.normalize", noStd.Field);
        Assert.Contains("no std", noStd.Message, StringComparison.Ordinal);

        var both = Single(Rgb with { Normalize = new InputNormalizationSpec { Preset = "imagenet", Mean = [0.5, 0.5, 0.5], Std = [0.2, 0.2, 0.2] } });
        Assert.Equal("dataset.normalize", both.Field);
        Assert.Contains("give one of them", both.Message, StringComparison.Ordinal);
    }
}
