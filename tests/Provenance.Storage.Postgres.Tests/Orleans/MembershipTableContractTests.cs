using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>
/// The membership SQL through the real <see cref="AdoNetClusteringTable"/> without a running silo: table-version
/// checks, heartbeat, defunct-silo cleanup and the gateway list, each on its own ClusterId.
/// </summary>
[Collection(OrleansCollection.Name)]
public sealed class MembershipTableContractTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task InitializeMembershipTable_NewCluster_ReadAllHasVersionZeroAndNoSilos()
    {
        var table = await CreateTableAsync(NewClusterId());

        var data = await table.ReadAllAsync();

        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task InsertRow_CurrentVersion_InsertsAndBumpsVersion()
    {
        var table = await CreateTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Active);

        var inserted = await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());

        var data = await table.ReadAllAsync();
        Assert.True(inserted);
        Assert.Equal(1, data.Version.Version);
        var (read, etag) = Assert.Single(data.Members);
        Assert.Equal(entry.SiloAddress, read.SiloAddress);
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.Equal("silo-11111", read.SiloName);
        Assert.Equal(30000, read.ProxyPort);
        Assert.Equal("1", etag);
    }

    [Fact]
    public async Task InsertRow_StaleVersion_ReturnsFalseAndChangesNothing()
    {
        var table = await CreateTableAsync(NewClusterId());
        var stale = (await table.ReadAllAsync()).Version;
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), stale.Next());

        var inserted = await table.InsertRowAsync(Entry(11112, SiloStatus.Active), stale.Next());

        var data = await table.ReadAllAsync();
        Assert.False(inserted);
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task InsertRow_ManyWritersSameVersion_ExactlyOneWins()
    {
        var clusterId = NewClusterId();
        var tables = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreateTableAsync(clusterId)));
        var version = (await tables[0].ReadAllAsync()).Version.Next();

        var results = await Task.WhenAll(tables.Select((t, i) => t.InsertRowAsync(Entry(11111 + i, SiloStatus.Joining), version)));

        Assert.Equal(1, results.Count(r => r));
        var data = await tables[0].ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task InsertRow_SiloAlreadyThere_ReturnsFalseAndKeepsVersion()
    {
        var table = await CreateTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Joining);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());

        var inserted = await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());

        Assert.False(inserted);
        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task UpdateRow_CurrentVersion_ChangesStatusAndSuspicions()
    {
        var table = await CreateTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Joining);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var version = (await table.ReadAllAsync()).Version;
        var suspecter = SiloAddress.New(IPAddress.Loopback, 22222, 7);
        entry.Status = SiloStatus.Active;
        entry.SuspectTimes = [Tuple.Create(suspecter, new DateTime(2026, 12, 3, 12, 0, 0, 123, DateTimeKind.Utc))];

        var updated = await table.UpdateRowAsync(entry, version.VersionEtag, version.Next());

        var row = await table.ReadRowAsync(entry.SiloAddress);
        Assert.True(updated);
        Assert.Equal(2, row.Version.Version);
        var (read, _) = Assert.Single(row.Members);
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.NotNull(read.SuspectTimes);
        var (suspect, at) = Assert.Single(read.SuspectTimes);
        Assert.Equal(suspecter, suspect);
        Assert.Equal(new DateTime(2026, 12, 3, 12, 0, 0, 123, DateTimeKind.Utc), at);
    }

    [Fact]
    public async Task UpdateRow_StaleVersion_ReturnsFalse()
    {
        var table = await CreateTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Joining);
        var stale = (await table.ReadAllAsync()).Version;
        await table.InsertRowAsync(entry, stale.Next());
        entry.Status = SiloStatus.Active;

        var updated = await table.UpdateRowAsync(entry, stale.VersionEtag, stale.Next());

        var (read, _) = Assert.Single((await table.ReadAllAsync()).Members);
        Assert.False(updated);
        Assert.Equal(SiloStatus.Joining, read.Status);
    }

    [Fact]
    public async Task ReadRow_UnknownSilo_HasTableVersionAndNoSilo()
    {
        var table = await CreateTableAsync(NewClusterId());
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next());

        var row = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 9, 9));

        Assert.Equal(1, row.Version.Version);
        Assert.Empty(row.Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_KnownSilo_ChangesAliveTimeNotVersion()
    {
        var table = await CreateTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Active);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        entry.IAmAliveTime = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        await table.UpdateIAmAliveAsync(entry);

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(entry.IAmAliveTime, Assert.Single(data.Members).Item1.IAmAliveTime);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_DeadAndOld_RemovesOnlyThose()
    {
        var table = await CreateTableAsync(NewClusterId());
        var old = DateTime.UtcNow.AddHours(-2);
        var dead = Entry(11111, SiloStatus.Dead, old);
        var recentlyDead = Entry(11112, SiloStatus.Dead);
        var activeButOld = Entry(11113, SiloStatus.Active, old);
        foreach (var entry in new[] { dead, recentlyDead, activeButOld })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToList();
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(dead.SiloAddress, left);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntriesKey_RunAsText_RemovesDeadSilosNotHeardFromSince()
    {
        // The 10.4.2 provider prefers the per-silo CleanupDefunctSiloEntryKey, so run the bulk text the way it would.
        var clusterId = NewClusterId();
        var table = await CreateTableAsync(clusterId);
        var old = DateTime.UtcNow.AddHours(-2);
        foreach (var entry in new[] { Entry(11111, SiloStatus.Dead, old), Entry(11112, SiloStatus.Dead), Entry(11113, SiloStatus.Active, old) })
        {
            await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        }
        await using var command = fixture.DataSource.CreateCommand(await QueryTextAsync("CleanupDefunctSiloEntriesKey"));
        command.Parameters.AddWithValue("DeploymentId", clusterId);
        command.Parameters.AddWithValue("IAmAliveTime", DateTime.UtcNow.AddHours(-1));

        var deleted = await command.ExecuteNonQueryAsync();

        Assert.Equal(1, deleted);
        Assert.Equal(2, (await table.ReadAllAsync()).Members.Count);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_Cluster_RemovesSilosAndVersion()
    {
        var clusterId = NewClusterId();
        var table = await CreateTableAsync(clusterId);
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next());

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        Assert.Equal(0L, await PostgresOrleansCluster.ScalarAsync<long>(fixture.DataSource,
            "SELECT (SELECT count(*) FROM orleans_membership WHERE deployment_id = $1) + (SELECT count(*) FROM orleans_membership_version WHERE deployment_id = $1)", clusterId));
    }

    [Fact]
    public async Task GetGateways_MixedStatuses_ListsActiveSilosWithAProxyPort()
    {
        var clusterId = NewClusterId();
        var table = await CreateTableAsync(clusterId);
        var active = Entry(11111, SiloStatus.Active);
        var noGateway = Entry(11112, SiloStatus.Active);
        noGateway.ProxyPort = 0;
        foreach (var entry in new[] { active, noGateway, Entry(11113, SiloStatus.Joining), Entry(11114, SiloStatus.Dead) })
        {
            await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        }

        var provider = new AdoNetGatewayListProvider(NullLogger<AdoNetGatewayListProvider>.Instance, new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrleansPostgres.Invariant, ConnectionString = fixture.ConnectionString }),
            Options.Create(new GatewayOptions()), Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc" }));
        await provider.InitializeGatewayListProviderAsync();

        var gateways = await provider.GetGatewaysAsync();

        Assert.Equal(SiloAddress.New(IPAddress.Loopback, 30000, active.SiloAddress.Generation).ToGatewayUri(), Assert.Single(gateways));
    }

    private async Task<string> QueryTextAsync(string key)
        => (await PostgresOrleansCluster.ScalarAsync<string>(fixture.DataSource, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = $1", key))!;

    private static string NewClusterId() => "m-" + Guid.NewGuid().ToString("N")[..12];

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime? times = null)
    {
        var at = times ?? DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1000 + port),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            ProxyPort = 30000,
            StartTime = at,
            IAmAliveTime = at,
        };
    }

    private async Task<AdoNetClusteringTable> CreateTableAsync(string clusterId)
    {
        var table = new AdoNetClusteringTable(new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansPostgres.Invariant, ConnectionString = fixture.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }
}
