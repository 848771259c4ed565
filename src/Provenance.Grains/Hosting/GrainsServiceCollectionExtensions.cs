using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Provenance.Core.Signing;
using Provenance.Grains.Assets;
using Orleans.Runtime;
using Provenance.Grains.Lineage;
using Provenance.Grains.Persistence;
using Provenance.Grains.Search;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Hosting;

/// <summary>Options of <see cref="GrainsServiceCollectionExtensions.AddProvenanceGrains"/>.</summary>
public sealed class ProvenanceGrainsOptions
{
    /// <summary>Generate and store an active manifest key at start-up when the key store has none (default true).</summary>
    public bool CreateManifestKeyIfNone { get; set; } = true;
}

/// <summary>Registers the Provenance grains.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds this assembly's grains to the runtime and registers what they need: <see cref="IAssetIdGenerator"/>
    /// (with <see cref="IRandomSource"/> and <see cref="TimeProvider"/> unless registered), <see cref="IManifestSigner"/> over
    /// the registered <see cref="IKeyStore"/> (an in-memory store when none is registered) with its
    /// <see cref="ManifestSignatureCache"/>, <see cref="IAssetDirectory"/>
    /// and the node-wide lineage cache. Register storage (<c>IDurableStateStore</c>, <c>IGrainIndex</c>, optionally
    /// <c>IStateChangeFeed</c>, <c>ILogStore</c>) separately; every node needs the same storage.
    /// </summary>
    public static ISiloBuilder AddProvenanceGrains(this ISiloBuilder builder, Action<ProvenanceGrainsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ProvenanceGrainsOptions();
        configure?.Invoke(options);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRandomSource, CryptoRandomSource>();
        services.TryAddSingleton<IAssetIdGenerator, AssetIdGenerator>();
        services.TryAddSingleton<IKeyStore, InMemoryKeyStore>();
        services.TryAddSingleton<IManifestSigner>(sp =>
            ManifestSigner.CreateAsync(sp.GetRequiredService<IKeyStore>(), options.CreateManifestKeyIfNone).GetAwaiter().GetResult());
        services.TryAddSingleton(sp => new ManifestSignatureCache(sp.GetRequiredService<IManifestSigner>()));
        services.TryAddSingleton<LineageGraph>();
        services.TryAddSingleton<AssetGrainServices>();
        services.TryAddSingleton<IAssetDirectory, AssetDirectory>();
        services.TryAddSingleton<IAttributeToFactoryMapper<DurableStateAttribute>, DurableStateAttributeMapper>();
        builder.AddIncomingGrainCallFilter<StorageFailureFilter>();
        return builder;
    }
}
