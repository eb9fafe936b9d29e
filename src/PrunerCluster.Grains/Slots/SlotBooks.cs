namespace PrunerCluster.Grains.Slots;

/// <summary>One experiment's entry in the <see cref="SlotLedger"/>: what it holds per silo and what it wants.</summary>
internal sealed class SlotBooks(string experimentId)
{
    public string ExperimentId { get; } = experimentId;

    public double Weight { get; set; } = 1;

    public int Cap { get; set; }

    public int Want { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset LastNudged { get; set; }

    public Dictionary<string, int> Held { get; } = new(StringComparer.Ordinal);

    public int HeldTotal => Held.Values.Sum();

    public bool UnderCap => Cap <= 0 || HeldTotal < Cap;

    public bool IsWaiting(DateTimeOffset now, TimeSpan validity) => Want > 0 && UnderCap && now - LastSeen <= validity;
}
