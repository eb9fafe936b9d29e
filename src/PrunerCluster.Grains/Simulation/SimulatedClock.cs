namespace PrunerCluster.Grains.Simulation;

/// <summary>The simulation's clock: simulated seconds since a fixed epoch, moved only by the event loop.</summary>
internal sealed class SimulatedClock : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public double Seconds { get; set; }

    public DateTimeOffset Now => Epoch + TimeSpan.FromSeconds(Seconds);

    public override DateTimeOffset GetUtcNow() => Now;
}
