using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace PrunerCluster.Engine.Localhost;

/// <summary>Grain storage of the localhost mode: every silo reads and writes through the primary's store grain.</summary>
internal sealed class LocalhostGrainStorage(IGrainFactory grains, Serializer serializer) : IGrainStorage
{
    private ILocalhostStoreGrain Store => grains.GetGrain<ILocalhostStoreGrain>(0);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var record = await Store.Read(Key(stateName, grainId)).ConfigureAwait(false);
        if (record is null)
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }

        grainState.State = serializer.Deserialize<T>(record.Data);
        grainState.RecordExists = true;
        grainState.ETag = record.Version.ToString(CultureInfo.InvariantCulture);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var expected = grainState.ETag is null ? 0 : long.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var version = await Store.Write(Key(stateName, grainId), serializer.SerializeToArray(grainState.State), expected).ConfigureAwait(false);
        if (version < 0)
        {
            throw new InconsistentStateException($"State {stateName} of {grainId} was written by another activation (expected version {expected}).");
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await Store.Clear(Key(stateName, grainId)).ConfigureAwait(false);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;
}
