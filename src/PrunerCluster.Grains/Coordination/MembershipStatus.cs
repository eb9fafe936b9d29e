namespace PrunerCluster.Grains.Coordination;

/// <summary>Whether a silo named by its parsable address is an active member.</summary>
public static class MembershipStatus
{
    public static bool IsActive(ClusterMembershipSnapshot snapshot, string silo)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        try
        {
            return snapshot.GetSiloStatus(SiloAddress.FromParsableString(silo)) == SiloStatus.Active;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
