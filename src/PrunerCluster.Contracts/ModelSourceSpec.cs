namespace PrunerCluster.Contracts;

/// <summary>
/// The network to prune, in object form: <c>"model": {"onnx": "model.onnx"}</c> (the user's own trained network) or
/// <c>"model": {"zoo": "resnet", "weights": "resnet.safetensors"}</c> (a built-in architecture with PyTorch weights). <see cref="Exclude"/>
/// names layers whose output channels must not be pruned.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ModelSourceSpec")]
public sealed record ModelSourceSpec
{
    /// <summary>Path of an ONNX model file (opset 7+, static input shape N x C x H x W).</summary>
    [Id(0)] public string? Onnx { get; init; }

    /// <summary>Built-in architecture name (mlp, lenet5, vgg, resnet).</summary>
    [Id(1)] public string? Zoo { get; init; }

    /// <summary>PyTorch state_dict (.pt/.pth or .safetensors) for <see cref="Zoo"/>.</summary>
    [Id(2)] public string? Weights { get; init; }

    /// <summary>Layer (node/module) names excluded from pruning: the channels they produce are kept whole.</summary>
    [Id(3)] public IReadOnlyList<string> Exclude { get; init; } = [];
}
