using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Hosting;

/// <summary>Name of the grain storage provider every PrunerCluster grain persists to; the host registers a provider under it.</summary>
public static class PrunerClusterStorage
{
    public const string Name = "prunercluster";

    /// <summary>State types grains write through <see cref="Orleans.Storage.IGrainStorage"/> directly (not an IPersistentState).</summary>
    public static IReadOnlyList<Type> DirectStateTypes { get; } = [typeof(LedgerChunkState)];
}

public static class PrunerClusterSiloBuilderExtensions
{
    /// <summary>
    /// Adds the PrunerCluster grains' services to a silo: options (validated on start), slot executor, capacity-aware
    /// placement and the silo metadata that advertises this silo's slots. The host still registers a grain storage named
    /// <see cref="PrunerClusterStorage.Name"/>, a reminder service and at least one <see cref="IEvaluationBackend"/>.
    /// </summary>
    public static ISiloBuilder AddPrunerClusterGrains(this ISiloBuilder builder, Action<PrunerClusterSiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var probe = new PrunerClusterSiloOptions();
        configure?.Invoke(probe);

        // Metadata is fixed for the silo's lifetime: it says how many slots exist, never how many are free.
        builder.UseSiloMetadata(new Dictionary<string, string>
        {
            [SlotMetadata.Slots] = probe.Slots.ToString(CultureInfo.InvariantCulture),
            [SlotMetadata.DeviceKind] = probe.DeviceKind,
            [SlotMetadata.DeviceClass] = probe.EffectiveDeviceClass,
            [SlotMetadata.DeviceCount] = probe.DeviceCount.ToString(CultureInfo.InvariantCulture),
            [SlotMetadata.Leases] = probe.Leases.ToString(CultureInfo.InvariantCulture),
        });

        var services = builder.Services;
        var optionsBuilder = services.AddOptions<PrunerClusterSiloOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrunerClusterSiloOptions>, PrunerClusterSiloOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SlotExecutor>();
        services.TryAddSingleton<SiloDrain>();
        services.TryAddSingleton<EvaluationBackendCatalog>();
        services.TryAddSingleton(sp => new ClientIdentityResolver(sp.GetRequiredService<TimeProvider>(), sp.GetService<IClientCertificateTrust>()));
        services.AddPlacementDirector<SlotPlacement, SlotPlacementDirector>();
        return builder;
    }

    /// <summary>Registers an evaluation backend, selected by experiments whose Backend equals its name.</summary>
    public static ISiloBuilder AddEvaluationBackend<TBackend>(this ISiloBuilder builder)
        where TBackend : class, IEvaluationBackend
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TBackend>();
        builder.Services.AddSingleton<IEvaluationBackend>(sp => sp.GetRequiredService<TBackend>());
        return builder;
    }
}
