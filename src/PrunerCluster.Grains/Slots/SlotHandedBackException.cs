namespace PrunerCluster.Grains.Slots;

/// <summary>A draining silo gave a queued evaluation back before any slot started it; it must run elsewhere.</summary>
public sealed class SlotHandedBackException : Exception
{
    public SlotHandedBackException()
    {
    }

    public SlotHandedBackException(string message)
        : base(message)
    {
    }

    public SlotHandedBackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
