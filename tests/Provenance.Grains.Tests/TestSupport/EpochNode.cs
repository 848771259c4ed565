using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Provenance.Actors;
using Provenance.Actors.Hosting;
using Provenance.Actors.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Hosting;
using Provenance.Grains.Log;
using Provenance.Storage.Postgres;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>
/// One node for log and epoch tests: the grain runtime over PostgreSQL (connections named <see cref="Name"/>, so a test
/// can kill them), the log and epochs, and the background loops (sequencer, schedule) started like a host would.
/// </summary>
internal sealed class EpochNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly GrainRuntime _runtime;
    private readonly List<IHostedService> _hosted;
    private int _disposed;

    private EpochNode(string name, ServiceProvider services, List<IHostedService> hosted)
    {
        Name = name;
        _services = services;
        _runtime = services.GetRequiredService<GrainRuntime>();
        _hosted = hosted;
    }

    public string Name { get; }

    public IGrainFactory Grains => _runtime;

    public IServiceProvider Services => _services;

    public ILogStore Log => _services.GetRequiredService<ILogStore>();

    public ILogProofs Proofs => _services.GetRequiredService<ILogProofs>();

    public IAnchorGrain Anchor => Grains.GetAnchor();

    public static async Task<EpochNode> StartAsync(
        string connectionString,
        string name,
        IKeyStore logKeys,
        TestTsas tsas,
        Action<ProvenanceEpochsOptions>? epochs = null,
        Action<ProvenanceLogOptions>? log = null,
        Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        var named = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = name }.ConnectionString;
        services.AddPostgresStorage(named);
        services.AddKeyedSingleton(StorageNames.LogKeyStore, logKeys);
        services.AddSingleton(tsas.Client());
        services.AddGrainRuntime(o => o.ReminderPollInterval = TimeSpan.FromMilliseconds(100))
            .AddProvenanceLog(o =>
            {
                o.SequencerInterval = TimeSpan.FromMilliseconds(20);
                log?.Invoke(o);
            })
            .AddProvenanceEpochs(o =>
            {
                o.Interval = null;
                o.PendingThreshold = null;
                o.RetryBase = TimeSpan.FromMilliseconds(200);
                o.RetryMax = TimeSpan.FromSeconds(2);
                epochs?.Invoke(o);
            });
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new EpochNode(name, provider, hosted);
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }
}

/// <summary>Service shortcuts.</summary>
internal static class EpochNodeServices
{
    public static IDurableStateStore GetStorage(this IServiceProvider services) => services.GetRequiredService<IDurableStateStore>();
}
