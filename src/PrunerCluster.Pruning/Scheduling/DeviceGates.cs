using System.Collections.Concurrent;

namespace PrunerCluster.Pruning.Scheduling;

/// <summary>
/// The <see cref="DeviceGate"/> of each compute device, owned by one host: its slots, timing windows and baseline training
/// take the gates from here, so that two hosts in one process never share a gate unless they are given the same instance.
/// All CPU devices share one gate ("cpu": they share the cores); each CUDA device ("cuda:N", "cuda" = "cuda:0") has its own.
/// Thread-safe.
/// </summary>
public sealed class DeviceGates
{
    private readonly ConcurrentDictionary<string, DeviceGate> _gates = new(StringComparer.Ordinal);

    /// <summary>The gate of <paramref name="device"/>, created on first use.</summary>
    public DeviceGate For(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        return _gates.GetOrAdd(DeviceGate.Normalize(device), key => new DeviceGate(key));
    }
}
