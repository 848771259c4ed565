using Microsoft.Extensions.DependencyInjection;
using Provenance.Actors;
using Provenance.Actors.Hosting;
using Provenance.Actors.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Signing;
using Provenance.Grains.Assets;
using Provenance.Grains.Hosting;
using Provenance.Storage.Postgres;

namespace Provenance.LoadGen;

/// <summary>
/// One grain runtime ("node") without a generic host: the Provenance grains over PostgreSQL or in-memory storage.
/// Shared by the load generator, the grain tests and the benchmarks.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly GrainRuntime _runtime;

    private NodeHost(ServiceProvider services)
    {
        _services = services;
        _runtime = services.GetRequiredService<GrainRuntime>();
    }

    /// <summary>The grain factory of this node.</summary>
    public IGrainFactory Grains => _runtime;

    /// <summary>This node's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Starts a node on PostgreSQL.</summary>
    public static Task<NodeHost> StartPostgresAsync(string connectionString, IKeyStore keys, TimeProvider? time = null, IRandomSource? random = null, Action<PostgresStorageOptions>? storage = null) =>
        StartAsync(keys, time, random, services => services.AddPostgresStorage(connectionString, storage));

    /// <summary>Starts a node on in-memory storage (share <paramref name="storage"/> to simulate several nodes).</summary>
    public static Task<NodeHost> StartMemoryAsync(MemoryGrainStorage storage, IKeyStore keys, TimeProvider? time = null, IRandomSource? random = null) =>
        StartAsync(keys, time, random, services => services.AddGrainRuntime().AddMemoryGrainStorageAsDefault(storage).AddMemoryDistributedLock());

    private static async Task<NodeHost> StartAsync(IKeyStore keys, TimeProvider? time, IRandomSource? random, Action<IServiceCollection> storage)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        if (random is not null)
        {
            services.AddSingleton(random);
        }

        services.AddSingleton(keys);
        storage(services);
        services.AddGrainRuntime().AddProvenanceGrains();
        var provider = services.BuildServiceProvider();
        var node = new NodeHost(provider);
        await node._runtime.StartAsync(CancellationToken.None);
        return node;
    }

    /// <summary>Deactivates every grain and releases storage.</summary>
    public async ValueTask DisposeAsync()
    {
        await _runtime.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
