using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>
/// The slot executors alive in this process (one per silo; several in an in-process test cluster), observed by the
/// busy/total slot and queue gauges with their silo and device attributes.
/// </summary>
internal static class SlotGauges
{
    private static readonly ConcurrentDictionary<SlotExecutor, byte> Executors = new();

    public static void Register(SlotExecutor executor) => Executors[executor] = 0;

    public static void Unregister(SlotExecutor executor) => Executors.TryRemove(executor, out _);

    /// <summary>One measurement per silo and device: <paramref name="select"/> of that device's slots.</summary>
    public static IEnumerable<Measurement<int>> Observe(Func<SlotExecutor.DeviceSlots, int> select)
    {
        foreach (var executor in Executors.Keys)
        {
            foreach (var device in executor.ByDevice())
            {
                yield return new Measurement<int>(
                    select(device),
                    new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeSilo, executor.SiloName),
                    new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeDevice, device.Device));
            }
        }
    }

    public static IEnumerable<Measurement<int>> ObserveQueues()
    {
        foreach (var executor in Executors.Keys)
        {
            yield return new Measurement<int>(executor.Queued, new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeSilo, executor.SiloName));
        }
    }
}
