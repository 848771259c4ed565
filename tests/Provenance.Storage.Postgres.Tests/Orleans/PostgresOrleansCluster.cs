using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>
/// Starts a <see cref="TestCluster"/> whose silos use this project's PostgreSQL SQL for membership, reminders and grain
/// storage, and whose client finds gateways in the same table. Each call gets its own ClusterId and ServiceId, so
/// clusters on one database do not see each other.
/// </summary>
internal static class PostgresOrleansCluster
{
    /// <summary>Configuration key the configurators read the connection string from.</summary>
    public const string ConnectionStringKey = "ProvenanceTest:PostgresConnectionString";

    /// <summary>Grain storage name of the JSON AdoNet storage.</summary>
    public const string StorageName = "pg";

    /// <summary>Grain storage name of a second AdoNet storage that deletes the row on clear.</summary>
    public const string DeletingStorageName = "pg-delete";

    /// <param name="connectionString">The migrated test database.</param>
    /// <param name="tcp">Real TCP sockets instead of the in-memory transport, so a client outside the cluster can connect.</param>
    public static async Task<TestCluster> StartAsync(string connectionString, bool tcp = false)
    {
        var builder = new TestClusterBuilder(2);
        if (tcp)
        {
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        }

        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ClusterId = "c-" + Guid.NewGuid().ToString("N")[..12];
        builder.Options.ServiceId = "s-" + Guid.NewGuid().ToString("N")[..12];
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Runs a scalar query on the test database.</summary>
    public static async Task<T?> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]!;
            siloBuilder
                .UsePostgresClustering(connectionString)
                .UsePostgresReminders(connectionString)
                .AddPostgresGrainStorage(StorageName, connectionString)
                .AddPostgresGrainStorage(DeletingStorageName, connectionString, o => o.DeleteStateOnClear = true);
            siloBuilder.Services.Configure<ClusterMembershipOptions>(o =>
            {
                // Fast failure detection so a killed silo is declared dead within seconds.
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
                o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
                o.LocalHealthDegradationMonitoringPeriod = TimeSpan.FromSeconds(1);
            });
            siloBuilder.Services.Configure<ReminderOptions>(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.RefreshReminderListPeriod = TimeSpan.FromSeconds(1);
                o.InitializationTimeout = TimeSpan.FromSeconds(30);
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.UsePostgresClustering(configuration[ConnectionStringKey]!);
            clientBuilder.Services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        }
    }
}

/// <summary>A test database (from <see cref="PostgresFixture"/>) with one two-silo cluster on it, shared by a test class.</summary>
public sealed class PostgresOrleansFixture : IAsyncLifetime
{
    /// <summary>The database.</summary>
    public PostgresFixture Postgres { get; } = new();

    /// <summary>The cluster (two silos and a client).</summary>
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        Cluster = await PostgresOrleansCluster.StartAsync(Postgres.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }
}

/// <summary>
/// The Orleans test classes run on their own, after the rest of the assembly: their silos keep many short
/// transactions going on the shared embedded PostgreSQL, which moves the cluster-wide xmin horizon that the log
/// store's horizon tests measure, and two clusters at once starve a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OrleansCollection
{
    public const string Name = "Orleans on PostgreSQL";
}
