namespace PrunerCluster.Grains.Coordination;

/// <summary>The durable wake-up that re-activates a coordinator after its silo dies; dropped once the experiment ends.</summary>
internal static class CoordinatorReminder
{
    public const string Name = "prunercluster-coordinator";

    /// <summary>Registers it; returns the error to record when there is no reminder service.</summary>
    public static async Task<string?> EnsureAsync(Grain grain, TimeSpan period)
    {
        try
        {
            await grain.RegisterOrUpdateReminder(Name, period, period);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return "no reminder service: the experiment resumes after a silo failure only when called. " + ex.Message;
        }
    }

    /// <summary>Unregisters it; returns the error when the reminder service failed.</summary>
    public static async Task<Exception?> DropAsync(Grain grain)
    {
        try
        {
            if (await grain.GetReminder(Name) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }

            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
    }
}
