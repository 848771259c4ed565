using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.TestingHost;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>Membership through the real AdoNet clustering provider on PostgreSQL, on two-silo test clusters.</summary>
[Collection(OrleansCollection.Name)]
public sealed class OrleansClusteringTests(PostgresOrleansFixture fixture) : IClassFixture<PostgresOrleansFixture>
{
    private const int Active = 3;
    private const int Dead = 6;

    [Fact]
    public async Task DeployAsync_TwoSilos_BothActiveInMembershipTable()
    {
        var cluster = fixture.Cluster;

        var active = await CountAsync(cluster, Active);

        Assert.Equal(2, active);
        Assert.Equal(2, cluster.GetActiveSilos().Count());
    }

    [Fact]
    public async Task GetGateways_TwoActiveSilos_ListsBothGatewaysFromPostgres()
    {
        var provider = fixture.Cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>();

        var gateways = await provider.GetGateways();

        Assert.IsType<AdoNetGatewayListProvider>(provider);
        var expected = fixture.Cluster.GetActiveSilos().Select(s => s.GatewayAddress.Endpoint.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(expected, gateways.Select(u => u.Authority).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClusterClient_OutsideTheClusterOverTcp_CallsGrainThroughPostgresGateways()
    {
        await using var cluster = await PostgresOrleansCluster.StartAsync(fixture.Postgres.ConnectionString, tcp: true);
        using var host = Host.CreateDefaultBuilder()
            .UseOrleansClient(client =>
            {
                client.UsePostgresClustering(fixture.Postgres.ConnectionString);
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.Options.ClusterId;
                    o.ServiceId = cluster.Options.ServiceId;
                });
            })
            .Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();

        var where = await client.GetGrain<IPingGrain>("outside").WhereAsync();

        Assert.Contains(cluster.GetActiveSilos(), s => where.Contains(s.SiloAddress.ToString(), StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task StopSiloAsync_SecondSilo_RowIsNoLongerActive()
    {
        await using var cluster = await PostgresOrleansCluster.StartAsync(fixture.Postgres.ConnectionString);
        var stopped = cluster.Silos[1];

        await cluster.StopSiloAsync(stopped);

        Assert.True(await PostgresOrleansCluster.EventuallyAsync(async () => await StatusAsync(cluster, stopped) == Dead, TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await CountAsync(cluster, Active));
    }

    [Fact]
    public async Task KillSiloAsync_SecondSilo_SurvivorDeclaresItDead()
    {
        await using var cluster = await PostgresOrleansCluster.StartAsync(fixture.Postgres.ConnectionString);
        var killed = cluster.Silos[1];

        await cluster.KillSiloAsync(killed);

        Assert.True(await PostgresOrleansCluster.EventuallyAsync(async () => await StatusAsync(cluster, killed) == Dead, TimeSpan.FromSeconds(45)));
        Assert.Equal(1, await CountAsync(cluster, Active));
        Assert.NotEmpty(await cluster.Client.GetGrain<IPingGrain>("after-kill").WhereAsync());
    }

    private Task<long> CountAsync(TestCluster cluster, int status)
        => PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1 AND status = $2", cluster.Options.ClusterId, status);

    private async Task<int> StatusAsync(TestCluster cluster, SiloHandle silo)
        => await PostgresOrleansCluster.ScalarAsync<int>(fixture.Postgres.DataSource,
            "SELECT status FROM orleans_membership WHERE deployment_id = $1 AND address = $2 AND port = $3 AND generation = $4",
            cluster.Options.ClusterId, silo.SiloAddress.Endpoint.Address.ToString(), silo.SiloAddress.Endpoint.Port, silo.SiloAddress.Generation);
}
