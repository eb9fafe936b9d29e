using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Slots;

/// <summary>One answer of <see cref="SlotScheduling"/>: the grant, and the waiting experiments to nudge to come and take free slots.</summary>
internal sealed record SlotDecision(SlotGrant Grant, IReadOnlyList<string> Nudge);
