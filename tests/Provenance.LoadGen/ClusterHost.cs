using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using Provenance.Core.Signing;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Grains.Serialization;
using Provenance.Server.Hosting;
using Provenance.Storage.Postgres;

namespace Provenance.LoadGen;

/// <summary>What a <see cref="ClusterHost"/> runs.</summary>
public sealed class ClusterHostOptions
{
    /// <summary>Silos to start (default 2).</summary>
    public int Silos { get; init; } = 2;

    /// <summary>The manifest key store every silo shares (default: a new in-memory one).</summary>
    public IKeyStore? ManifestKeys { get; init; }

    /// <summary>The log key store every silo shares (default: a new in-memory one).</summary>
    public IKeyStore? LogKeys { get; init; }

    /// <summary>The clock (default: the system's).</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>The random source of asset ids (default: cryptographic).</summary>
    public IRandomSource? Random { get; init; }

    /// <summary>Cluster id; every host with the same id on the same database joins one cluster. Default <c>provenance</c>.</summary>
    public string ClusterId { get; init; } = "provenance";

    /// <summary>Npgsql application name of the first silos' connections (so a test can find and kill them); default none.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>Storage options (applied on every silo).</summary>
    public Action<PostgresStorageOptions>? Storage { get; init; }

    /// <summary>Log options (applied on every silo).</summary>
    public Action<ProvenanceLogOptions>? Log { get; init; }

    /// <summary>Epoch options (applied on every silo).</summary>
    public Action<ProvenanceEpochsOptions>? Epochs { get; init; }

    /// <summary>Audit schedule (applied on every silo); default: the server's default, every 24 hours.</summary>
    public Action<AuditSettings>? Audit { get; init; }

    /// <summary>More services for every silo (registered before the Provenance ones, so they win over defaults).</summary>
    public Action<IServiceCollection>? Services { get; init; }
}

/// <summary>One silo's view of the cluster: the grain factory and services of a silo (a "node").</summary>
public interface IProvenanceNode
{
    /// <summary>Creates grain references; calls made through it enter the cluster at this node.</summary>
    IGrainFactory Grains { get; }

    /// <summary>The node's services.</summary>
    IServiceProvider Services { get; }
}

/// <summary>A silo started into a running <see cref="ClusterHost"/>; disposing it stops that silo gracefully.</summary>
public sealed class SiloNode(InProcessTestCluster cluster, InProcessSiloHandle silo) : IProvenanceNode, IAsyncDisposable
{
    /// <summary>The silo.</summary>
    public InProcessSiloHandle Silo { get; } = silo;

    /// <inheritdoc/>
    public IGrainFactory Grains => Silo.SiloHost.Services.GetRequiredService<IGrainFactory>();

    /// <inheritdoc/>
    public IServiceProvider Services => Silo.SiloHost.Services;

    /// <summary>Kills the silo (no graceful shutdown).</summary>
    public Task KillAsync() => cluster.KillSiloAsync(Silo);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (cluster.Silos.Contains(Silo))
        {
            await cluster.StopSiloAsync(Silo);
        }
    }
}

/// <summary>
/// An Orleans cluster of in-process silos (Microsoft.Orleans.TestingHost) composed exactly as the server composes one
/// (<see cref="ProvenanceSilo"/>), on a real PostgreSQL: membership, reminders and every grain state in the database.
/// Shared by the grain tests, the benchmarks and the load generator.
/// </summary>
public sealed class ClusterHost : IProvenanceNode, IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private readonly SiloNaming _naming;
    private int _disposed;

    private ClusterHost(InProcessTestCluster cluster, SiloNaming naming)
    {
        _cluster = cluster;
        _naming = naming;
    }

    /// <summary>The application name the next silo's connections carry.</summary>
    private sealed class SiloNaming
    {
        public string? Next { get; set; }
    }

    /// <summary>The cluster client's grain factory (calls cross the gateway and the serializers, as a platform's would).</summary>
    public IGrainFactory Grains => _cluster.Client;

    /// <summary>The first running silo's own grain factory (in-process calls, as the server's HTTP handlers make them).</summary>
    public IGrainFactory SiloGrains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>The first running silo's services.</summary>
    public IServiceProvider Services => _cluster.Silos[0].SiloHost.Services;

    /// <summary>The running silos.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => _cluster.Silos;

    /// <summary>The underlying test cluster.</summary>
    public InProcessTestCluster Cluster => _cluster;

    /// <summary>
    /// Starts <see cref="ClusterHostOptions.Silos"/> silos on the database <paramref name="connectionString"/>, migrating
    /// it first (as the server does before its silo starts): clustering reads its queries from the schema.
    /// </summary>
    public static async Task<ClusterHost> StartAsync(string connectionString, ClusterHostOptions? options = null)
    {
        options ??= new ClusterHostOptions();
        await (await PostgresStorage.OpenAsync(connectionString)).DisposeAsync();
        var manifestKeys = options.ManifestKeys ?? new InMemoryKeyStore();
        var logKeys = options.LogKeys ?? new InMemoryKeyStore();
        var naming = new SiloNaming { Next = options.ApplicationName };
        var builder = new InProcessTestClusterBuilder((short)options.Silos);
        builder.Options.ClusterId = options.ClusterId;
        builder.Options.ServiceId = "provenance";
        // Membership in PostgreSQL, as the server's: the in-process cluster's own in-memory table (its default, with no
        // public switch in 10.4.2) would keep two hosts on one database from joining one cluster.
        typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .SetValue(builder.Options, false);
        builder.ConfigureSilo((_, silo) =>
        {
            options.Services?.Invoke(silo.Services);
            if (options.Time is not null)
            {
                silo.Services.AddSingleton(options.Time);
            }

            if (options.Random is not null)
            {
                silo.Services.AddSingleton(options.Random);
            }

            silo.Services.AddSingleton(manifestKeys);
            silo.Services.AddKeyedSingleton(StorageNames.LogKeyStore, logKeys);
            var named = naming.Next is null ? connectionString
                : new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = naming.Next }.ConnectionString;
            silo.AddProvenanceSilo(new ProvenanceSiloSettings
            {
                ConnectionString = named,
                ClusterId = options.ClusterId,
                Storage = options.Storage,
                Log = options.Log,
                Epochs = options.Epochs,
                Audit = options.Audit,
            });
        });
        builder.ConfigureClient(client =>
        {
            client.Services.AddSerializer(s => s.AddProvenanceSerializers());
            client.UsePostgresClustering(connectionString);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ClusterHost(cluster, naming);
    }

    /// <summary>Kills silo <paramref name="index"/> without a graceful shutdown (its activations are lost, as in a crash).</summary>
    public Task KillSiloAsync(int index) => _cluster.KillSiloAsync(_cluster.Silos[index]);

    /// <summary>Stops silo <paramref name="index"/> gracefully.</summary>
    public Task StopSiloAsync(int index) => _cluster.StopSiloAsync(_cluster.Silos[index]);

    /// <summary>Starts one more silo into this cluster: another node, as a second server process on the same database would be.</summary>
    /// <param name="applicationName">Npgsql application name of the new silo's connections, or null for none.</param>
    public async Task<SiloNode> AddSiloAsync(string? applicationName = null)
    {
        _naming.Next = applicationName;
        return new(_cluster, await _cluster.StartAdditionalSiloAsync());
    }

    /// <summary>Node <paramref name="index"/> of the running silos.</summary>
    public SiloNode NodeAt(int index) => new(_cluster, _cluster.Silos[index]);

    /// <summary>Stops every silo and the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        // Orleans' ADO.NET providers keep their own Npgsql pools per connection string; tests make a database per class
        // (or per test), so idle connections of finished clusters would pile up against max_connections.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
