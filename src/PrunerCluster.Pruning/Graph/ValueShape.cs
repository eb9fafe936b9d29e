namespace PrunerCluster.Pruning.Graph;

/// <summary>Per-sample shape of a value: a C x H x W feature map, or (H = W = 0) a vector of C features.</summary>
public readonly record struct ValueShape(int Channels, int Height, int Width)
{
    public bool IsFlat => Height == 0;

    public long Elements => IsFlat ? Channels : (long)Channels * Height * Width;

    public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}x{Height}x{Width}]";
}
