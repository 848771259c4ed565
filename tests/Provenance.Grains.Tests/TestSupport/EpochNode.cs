using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using Provenance.Core.Signing;
using Provenance.Core.Storage;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.LoadGen;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>
/// A cluster for log and epoch tests (two silos by default; connections named <see cref="Name"/>, so a test can kill
/// them). Two nodes started on one database join one Orleans cluster, as two server processes would.
/// </summary>
internal sealed class EpochNode : IAsyncDisposable
{
    private readonly ClusterHost _cluster;
    private readonly IProvenanceNode _node;
    private readonly Func<ValueTask> _dispose;

    private EpochNode(string name, ClusterHost cluster, IProvenanceNode node, Func<ValueTask> dispose)
    {
        Name = name;
        _cluster = cluster;
        _node = node;
        _dispose = dispose;
    }

    public string Name { get; }

    /// <summary>This node's silo-local grain factory.</summary>
    public IGrainFactory Grains => _node.Grains;

    public IServiceProvider Services => _node.Services;

    public ClusterHost Cluster => _cluster;

    /// <summary>Another node: one more silo in this node's cluster (as a second server on the same database), connections named <paramref name="name"/>.</summary>
    public async Task<EpochNode> AddNodeAsync(string name)
    {
        var silo = await _cluster.AddSiloAsync(name);
        return new EpochNode(name, _cluster, silo, silo.DisposeAsync);
    }

    /// <summary>Kills this node's silo (the first silo for a started node) without a graceful shutdown.</summary>
    public Task KillAsync() => _node is SiloNode silo ? silo.KillAsync() : _cluster.KillSiloAsync(0);

    public ILogStore Log => Services.GetRequiredService<ILogStore>();

    public ILogProofs Proofs => Services.GetRequiredService<ILogProofs>();

    public IAnchorGrain Anchor => Grains.GetAnchor();

    public static async Task<EpochNode> StartAsync(
        string connectionString,
        string name,
        IKeyStore logKeys,
        TestTsas tsas,
        Action<ProvenanceEpochsOptions>? epochs = null,
        Action<ProvenanceLogOptions>? log = null,
        Action<IServiceCollection>? configure = null,
        int silos = 2)
    {
        var cluster = await ClusterHost.StartAsync(connectionString, new ClusterHostOptions
        {
            Silos = silos,
            ApplicationName = name,
            LogKeys = logKeys,
            Services = services =>
            {
                configure?.Invoke(services);
                services.AddSingleton(tsas.Client());
            },
            Log = o =>
            {
                o.SequencerInterval = TimeSpan.FromMilliseconds(20);
                o.KeepAlivePeriod = TimeSpan.FromSeconds(1);
                log?.Invoke(o);
            },
            Epochs = o =>
            {
                o.Interval = null;
                o.PendingThreshold = null;
                o.RetryBase = TimeSpan.FromMilliseconds(200);
                o.RetryMax = TimeSpan.FromSeconds(2);
                epochs?.Invoke(o);
            },
        });
        return new EpochNode(name, cluster, cluster.NodeAt(0), cluster.DisposeAsync);
    }

    /// <summary>
    /// Terminates this node's connections that are inside a transaction or running a statement (a sequencing pass in
    /// flight is rolled back), leaving idle pooled ones; returns how many were terminated.
    /// </summary>
    public static async Task<int> KillSequencerConnectionsAsync(NpgsqlDataSource admin, string name)
    {
        await using var command = admin.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle' AND query NOT ILIKE '%LISTEN%'");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => _dispose();
}

/// <summary>Service shortcuts.</summary>
internal static class EpochNodeServices
{
    public static IDurableStateStore GetStorage(this IServiceProvider services) => services.GetRequiredService<IDurableStateStore>();
}
