using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Core.Signing;
using Provenance.Grains.Streams;
using Provenance.Grains.Tenants;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;

namespace Provenance.Grains.Tests.Streams;

public sealed class DerivativeFeedTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ClusterHost _node = null!;

    public async Task InitializeAsync() => _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task WatchAsync(string assetId) => await _node.Grains.GetGrain<IDerivativeWatcherGrain>(assetId).WatchAsync();

    private static async Task<IReadOnlyList<(Storage.Postgres.Streams.OutboxEvent Event, Orleans.Streams.StreamSequenceToken? Token)>> WaitForAsync(string assetId, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DerivativeWatcherGrain.Of(assetId).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{assetId}: waited for {count} derivatives, got {DerivativeWatcherGrain.Of(assetId).Count}");
            }

            await Task.Delay(50);
        }

        // Anything more than expected would arrive with the same batch or the next pull: give it a moment to show up.
        await Task.Delay(TimeSpan.FromSeconds(2));
        return DerivativeWatcherGrain.Of(assetId);
    }

    [Fact]
    public async Task DerivativesOf_ChildrenRegisteredAndLinked_WatcherGetsExactlyThemInOrderWithPositions()
    {
        await _node.RegisterAsync("df-parent");
        await _node.RegisterAsync("df-other");
        await WatchAsync("df-parent");

        await _node.RegisterAsync("df-child-1", "df-parent");
        await _node.RegisterAsync("df-child-2", "df-other");
        await _node.RegisterAsync("df-child-3", "df-parent", "df-other");
        await _node.RegisterAsync("df-late");
        await _node.Asset("df-late").AddParentAsync(Alice, new AddParentRequest("df-parent", Relationship.ParentOf));
        var seen = await WaitForAsync("df-parent", 3);

        Assert.Equal(["df-child-1", "df-child-3", "df-late"], seen.Select(d => DerivativeEvent.FromPayload(d.Event.Payload).ChildId));
        Assert.All(seen, d => Assert.Equal(d.Event.Position, d.Token!.SequenceNumber));
        Assert.All(seen, d => Assert.Equal(ProvenanceStreams.DerivedEvent, d.Event.EventType));
        Assert.All(seen, d => Assert.Equal("df-parent", d.Event.StreamKey));
        Assert.Equal(seen.Select(d => d.Event.Position).Order(), seen.Select(d => d.Event.Position));
        Assert.Equal(3, seen.Select(d => d.Event.Position).Distinct().Count());
        Assert.Equal(["df-child-2", "df-child-3"], await DurableChildIdsAsync("df-other"));
        var first = DerivativeEvent.FromPayload(seen[0].Event.Payload);
        Assert.Equal(new DerivativeEvent("df-child-1", HashOf("df-child-1"), Relationship.ParentOf, "tenant-a"), first);
    }

    /// <summary>The child ids of the durable <c>asset.derived</c> rows on a parent's derivatives stream, in commit order.</summary>
    private async Task<IReadOnlyList<string>> DurableChildIdsAsync(string parentId)
    {
        await using var command = db.DataSource.CreateCommand(
            "SELECT payload FROM outbox WHERE stream = 'derivatives' AND stream_key = $1 ORDER BY id");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parentId });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(DerivativeEvent.FromPayload(reader.GetFieldValue<byte[]>(0)).ChildId);
        }

        return ids;
    }

    [Fact]
    public async Task DerivativesOf_RejectedRegistration_NoEvent()
    {
        await _node.RegisterAsync("df-rej-parent");
        await WatchAsync("df-rej-parent");

        await Assert.ThrowsAsync<Core.Lineage.UnknownParentException>(() => _node.RegisterAsync("df-rej-child", "df-rej-parent", "df-rej-nobody"));
        await Assert.ThrowsAsync<Core.Assets.AssetExistsException>(() => _node.RegisterAsync("df-rej-parent", "df-rej-parent"));
        await _node.RegisterAsync("df-rej-marker", "df-rej-parent");
        var seen = await WaitForAsync("df-rej-parent", 1);

        Assert.Equal(["df-rej-marker"], seen.Select(d => DerivativeEvent.FromPayload(d.Event.Payload).ChildId));
    }

    [Fact]
    public async Task DerivativesOf_ChildOfAnotherTenant_RedactedToIdAndHash()
    {
        await _node.Grains.GetGrain<ITenantGrain>("tenant-a").SetPolicyAsync(CallerContext.System("tenant-a"), new TenantPolicyDto(TrustedTenants: ["tenant-b"]));
        await _node.RegisterAsync("df-shared");
        await WatchAsync("df-shared");

        await _node.RegisterAsync(Bob, "df-foreign-child", "df-shared");
        var seen = await WaitForAsync("df-shared", 1);

        var only = Assert.Single(seen);
        Assert.Equal("""{"childId":"df-foreign-child","contentHash":"HASH"}""".Replace("HASH", HashOf("df-foreign-child"), StringComparison.Ordinal),
            System.Text.Encoding.UTF8.GetString(only.Event.Payload));
        Assert.True(DerivativeEvent.FromPayload(only.Event.Payload).Redacted);
        Assert.Equal("tenant-a", only.Event.Tenant);
    }
}
