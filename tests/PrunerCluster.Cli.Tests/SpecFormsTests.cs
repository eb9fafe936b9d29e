using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Tests;

[Trait("Category", "Unit")]
public sealed class SpecFormsTests
{
    [Fact]
    public void Object_forms_of_model_and_dataset_parse_next_to_the_string_forms()
    {
        var spec = SpecFile.Parse(
            """
            {
              "name": "own-model",
              "model": { "onnx": "/models/net.onnx", "exclude": ["stem"] },
              "dataset": { "format": "image-folder", "root": "/data/flowers", "imageSize": 32, "validation": 0.1 }
            }
            """,
            "inline");
        Assert.Equal("onnx", spec.Model);
        Assert.Equal("image-folder", spec.Dataset);
        Assert.Equal(new ModelSourceSpec { Onnx = "/models/net.onnx", Exclude = ["stem"] }.Onnx, spec.ModelSource!.Onnx);
        Assert.Equal(["stem"], spec.ModelSource.Exclude);
        Assert.Equal(new DatasetSourceSpec { Format = "image-folder", Root = "/data/flowers", ImageSize = 32, Validation = 0.1 }, spec.DatasetSource);
        Assert.Empty(SpecValidator.Validate(spec));

        var named = SpecFile.Parse("""{ "model": "vgg", "dataset": "fashion-mnist" }""", "inline");
        Assert.Equal(("vgg", "fashion-mnist"), (named.Model, named.Dataset));
        Assert.Null(named.DatasetSource);
        Assert.Null(named.ModelSource);

        // A serialized spec (as the run directory stores it) parses back to the same record.
        var again = SpecFile.Parse(SpecFile.Serialize(spec), "round-trip");
        Assert.Equal(spec.DatasetSource, again.DatasetSource);
        Assert.Equal(spec.ModelSource!.Onnx, again.ModelSource!.Onnx);
    }

    [Fact]
    public void Object_forms_are_checked_field_by_field()
    {
        var spec = SpecFile.Parse(
            """
            {
              "model": { "onnx": "a.onnx", "zoo": "vgg", "weights": "w.h5" },
              "dataset": { "format": "tfrecord", "root": "", "validation": 2.5 }
            }
            """,
            "inline");
        var fields = SpecValidator.Validate(spec).Select(e => e.Field).ToArray();
        Assert.Equal(["dataset.format", "dataset.root", "dataset.validation", "model", "model.weights"], fields);
        var imageFolder = SpecFile.Parse("""{ "dataset": { "format": "image-folder", "root": "/d" } }""", "inline");
        Assert.Contains(SpecValidator.Validate(imageFolder), e => e.Field == "dataset.imageSize" && e.Message.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_fields_inside_the_object_forms_are_rejected()
    {
        var e = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "dataset": { "format": "idx", "root": "/d", "validaton": 0.1 } }""", "inline"));
        Assert.Contains("validaton", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_normalize_reads_a_preset_or_constants_and_writes_them_back()
    {
        var preset = SpecFile.Parse("""{ "dataset": { "format": "image-folder", "root": "/d", "imageSize": 32, "normalize": "imagenet" } }""", "inline");
        Assert.Equal("imagenet", preset.DatasetSource!.Normalize!.Preset);
        Assert.Empty(SpecValidator.Validate(preset));

        var constants = SpecFile.Parse("""{ "dataset": { "format": "cifar-binary", "root": "/c", "normalize": { "mean": [0.5, 0.4, 0.3], "std": [0.2, 0.2, 0.25] } } }""", "inline");
        Assert.Null(constants.DatasetSource!.Normalize!.Preset);
        Assert.Equal([0.5, 0.4, 0.3], constants.DatasetSource.Normalize.Mean);
        Assert.Equal([0.2, 0.2, 0.25], constants.DatasetSource.Normalize.Std);

        // As the run directory stores the spec, and back.
        foreach (var spec in new[] { preset, constants })
        {
            var again = SpecFile.Parse(SpecFile.Serialize(spec), "round-trip");
            Assert.Equal(SpecFile.Serialize(spec.DatasetSource!.Normalize), SpecFile.Serialize(again.DatasetSource!.Normalize));
        }

        Assert.Contains("\"normalize\": \"imagenet\"", SpecFile.Serialize(preset), StringComparison.Ordinal);
        Assert.Null(SpecFile.Parse(SpecFile.Serialize(SpecFile.Parse("""{ "dataset": { "format": "idx", "root": "/d" } }""", "inline")), "round-trip").DatasetSource!.Normalize);
    }

    [Fact]
    public void Dataset_normalize_of_the_wrong_shape_names_the_field_the_value_and_the_choices()
    {
        var number = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "dataset": { "format": "idx", "root": "/d", "normalize": 255 } }""", "inline"));
        Assert.Contains("dataset.normalize", number.Message, StringComparison.Ordinal);
        Assert.Contains("got 255", number.Message, StringComparison.Ordinal);
        Assert.Contains("\"imagenet\"", number.Message, StringComparison.Ordinal);

        var typo = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "dataset": { "format": "idx", "root": "/d", "normalize": { "mean": [0.5], "sdt": [0.2] } } }""", "inline"));
        Assert.Contains("dataset.normalize", typo.Message, StringComparison.Ordinal);
        Assert.Contains("sdt", typo.Message, StringComparison.Ordinal);

        var unknown = SpecFile.Parse("""{ "dataset": { "format": "idx", "root": "/d", "normalize": "imagenet" } }""", "inline");
        var error = Assert.Single(SpecValidator.Validate(unknown));
        Assert.Equal("dataset.normalize", error.Field);
    }
}
