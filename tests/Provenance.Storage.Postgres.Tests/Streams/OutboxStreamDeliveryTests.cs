using Orleans.Runtime;
using Orleans.TestingHost;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

/// <summary>One two-silo cluster for the class; each test uses its own stream keys.</summary>
public sealed class OutboxStreamClusterFixture : IAsyncLifetime
{
    private readonly PostgresFixture database = new();

    public TestCluster Cluster { get; private set; } = null!;

    public PostgresStorage Writer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        Writer = await PostgresStorage.OpenAsync(database.ConnectionString);
        Cluster = await OutboxStreamTestCluster.StartAsync(database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Writer.DisposeAsync();
        await database.DisposeAsync();
    }
}

[Collection(OutboxStreamCollection.Name)]
public sealed class OutboxStreamDeliveryTests(OutboxStreamClusterFixture fixture) : IClassFixture<OutboxStreamClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WriteAsync_EventsCommittedWithState_DeliveredToTheirStreamInPositionOrderWithPayload()
    {
        var key = Guid.NewGuid().ToString("N");
        var streamId = StreamId.Create(OutboxStreamTestCluster.AssetsStream, key);
        var positions = new List<long>();

        // Sequential writes, then concurrent ones: positions come from the numbering pass, not from submission order.
        for (var i = 0; i < 5; i++)
        {
            positions.Add(await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, key, $"{key}-{i}"));
        }

        var extra = await Task.WhenAll(Enumerable.Range(5, 10).Select(i =>
            OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, key, $"{key}-{i}")));
        positions.AddRange(extra);

        var got = await Deliveries.WaitForAsync(streamId, positions, Timeout);

        var firstSeen = got.Select(d => d.Event.Position).Distinct().ToList();
        Assert.Equal(positions.Order(), firstSeen);
        var first = got.First(d => d.Event.Position == positions[0]).Event;
        Assert.Equal($"{key}-0", System.Text.Encoding.UTF8.GetString(first.Payload));
        Assert.Equal((OutboxStreamTestCluster.AssetsStream, key, "test.event", "tenant-a"), (first.Stream, first.StreamKey, first.EventType, first.Tenant));
        Assert.All(got, d => Assert.Equal(d.Event.Position, d.Token?.SequenceNumber));
    }

    [Fact]
    public async Task WriteAsync_StaleEtag_StateConflictAndNoEvent()
    {
        var key = Guid.NewGuid().ToString("N");
        var streamId = StreamId.Create(OutboxStreamTestCluster.AssetsStream, key);
        var grain = TestEffects.NewKey();
        var created = await fixture.Writer.GrainStorage.WriteAsync(grain, TestEffects.Bytes("v1"), null, Effects(key, "created"), default);
        await fixture.Writer.GrainStorage.WriteAsync(grain, TestEffects.Bytes("v2"), created, Effects(key, "updated"), default);

        await Assert.ThrowsAsync<StateConflictException>(() =>
            fixture.Writer.GrainStorage.WriteAsync(grain, TestEffects.Bytes("v3"), created, Effects(key, "stale"), default));
        var after = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, key, $"{key}-after");

        var got = await Deliveries.WaitForAsync(streamId, [after], Timeout);
        Assert.Equal(
            [$"{key}-created", $"{key}-updated", $"{key}-after"],
            got.Select(d => System.Text.Encoding.UTF8.GetString(d.Event.Payload)).Distinct());
    }

    [Fact]
    public async Task WriteAsync_DifferentStreamKeys_EachSubscriberGetsOnlyItsStream()
    {
        var keyA = Guid.NewGuid().ToString("N");
        var keyB = Guid.NewGuid().ToString("N");
        var a = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.DerivativesStream, keyA, $"{keyA}-1");
        var b = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.DerivativesStream, keyB, $"{keyB}-1");
        var a2 = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.DerivativesStream, keyA, $"{keyA}-2");
        var assetsA = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, keyA, $"{keyA}-assets");

        var gotA = await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.DerivativesStream, keyA), [a, a2], Timeout);
        var gotB = await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.DerivativesStream, keyB), [b], Timeout);
        await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.AssetsStream, keyA), [assetsA], Timeout);

        Assert.Equal([a, a2], gotA.Select(d => d.Event.Position).Distinct());
        Assert.Equal([b], gotB.Select(d => d.Event.Position).Distinct());
    }

    [Fact]
    public async Task WriteAsync_NoStreamKey_DeliveredOnTheTenantStreamElseTheDeploymentStream()
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N");
        var payload = Guid.NewGuid().ToString("N");

        var ofTenant = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, null, payload + "-t", tenant);
        var ofDeployment = await OutboxStreamTestCluster.CommitEventAsync(fixture.Writer, OutboxStreamTestCluster.AssetsStream, null, payload + "-d", null);

        await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.AssetsStream, tenant), [ofTenant], Timeout);
        await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.AssetsStream, OutboxStreamIdentity.DeploymentKey), [ofDeployment], Timeout);
    }

    private static DurableEffects Effects(string streamKey, string what)
    {
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage(OutboxStreamTestCluster.AssetsStream, "test.event", "tenant-a", TestEffects.Bytes($"{streamKey}-{what}"), streamKey));
        return effects;
    }
}

/// <summary>The cluster tests run one at a time (each starts silos on a 2-core machine).</summary>
[CollectionDefinition(Name)]
public sealed class OutboxStreamCollection
{
    public const string Name = "outbox-streams";
}
