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
}
