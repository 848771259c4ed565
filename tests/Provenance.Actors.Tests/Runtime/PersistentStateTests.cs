using Provenance.Actors.Storage;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class PersistentStateTests
{
    [Fact]
    public async Task WriteStateAsync_ThenReactivate_StateReadBeforeOnActivate()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ICounterGrain>("c");
        await grain.AddAsync(5, retry: false);
        var activation = node.Runtime.FindActivation(new GrainId("counter", "c"))!;
        activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"));
        await activation.Deactivated;

        var count = await grain.GetAsync();

        Assert.Equal(5, count);
        Assert.Equal(1, node.Probe.Count("counter-activated:c:5"));
    }

    [Fact]
    public async Task WriteStateAsync_Serialised_AsJsonUnderGrainStateKey()
    {
        await using var node = await TestNode.StartAsync();

        await node.Factory.GetGrain<ICounterGrain>("json").AddAsync(3, retry: false);
        var record = await node.Storage.ReadAsync(new GrainStateKey("counter", "json", "counter"), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Contains("\"count\":3", System.Text.Encoding.UTF8.GetString(record.Data.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteStateAsync_NamedStorage_WritesToKeyedStorageOnly()
    {
        await using var node = await TestNode.StartAsync();

        await node.Factory.GetGrain<ICounterGrain>("label").SetLabelAsync("kept");
        var inDefault = await node.Storage.ReadAsync(new GrainStateKey("counter", "label", "archive"), CancellationToken.None);

        Assert.Null(inDefault);
    }

    [Fact]
    public async Task WriteStateAsync_StaleEtagOnSecondNode_ThrowsInconsistentState()
    {
        var storage = new MemoryGrainStorage();
        await using var nodeA = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        await using var nodeB = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        var onA = nodeA.Factory.GetGrain<ICounterGrain>("x");
        var onB = nodeB.Factory.GetGrain<ICounterGrain>("x");
        await onA.GetAsync();
        await onB.GetAsync();

        await onA.AddAsync(1, retry: false);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => onB.AddAsync(1, retry: false));

        Assert.Equal(new GrainStateKey("counter", "x", "counter"), conflict.Key);
        Assert.Null(conflict.ExpectedEtag);
    }

    [Fact]
    public async Task WriteStateAsync_TwoNodesRetryingOnConflict_NoLostUpdate()
    {
        var storage = new MemoryGrainStorage();
        await using var nodeA = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        await using var nodeB = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        var onA = nodeA.Factory.GetGrain<ICounterGrain>("sum");
        var onB = nodeB.Factory.GetGrain<ICounterGrain>("sum");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => (i % 2 == 0 ? onA : onB).AddAsync(1, retry: true))));
        await onA.ReloadAsync();

        Assert.Equal(50, await onA.GetAsync());
    }

    [Fact]
    public async Task WriteStateAsync_WithEffects_StoredWithState()
    {
        await using var node = await TestNode.StartAsync();

        await node.Factory.GetGrain<ICounterGrain>("e").AddWithEffectsAsync(2, "first");

        Assert.Equal("e#2", Assert.Single(node.Storage.LogAppends).SourceKey);
        Assert.Equal("counter.added", Assert.Single(await node.Storage.ReadAsync("counters", 0, 10, CancellationToken.None)).EventType);
        Assert.Equal("first", Assert.Single(await node.Storage.QueryAsync("notes", "e", 0, 10, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task WriteStateAsync_StaleWithEffects_NeitherStateNorEffectsWritten()
    {
        var storage = new MemoryGrainStorage();
        await using var nodeA = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        await using var nodeB = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        var onB = nodeB.Factory.GetGrain<ICounterGrain>("fx");
        await onB.GetAsync();
        await nodeA.Factory.GetGrain<ICounterGrain>("fx").AddAsync(1, retry: false);

        await Assert.ThrowsAsync<InconsistentStateException>(() => onB.AddWithEffectsAsync(5, "lost"));

        Assert.Empty(storage.LogAppends);
        Assert.Empty(await storage.ReadAsync("counters", 0, 10, CancellationToken.None));
        Assert.Equal(0, await storage.CountAsync("notes", "fx", CancellationToken.None));
    }

    [Fact]
    public async Task ClearStateAsync_AfterWrite_RemovesRecordAndResetsState()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ICounterGrain>("clear");
        await grain.AddAsync(4, retry: false);

        await grain.ClearAsync();

        Assert.Equal(0, await grain.GetAsync());
        Assert.Null(await grain.GetEtagAsync());
        Assert.Null(await node.Storage.ReadAsync(new GrainStateKey("counter", "clear", "counter"), CancellationToken.None));
    }

    [Fact]
    public async Task Activate_StorageNameNotRegistered_CallFailsNamingTheStorage()
    {
        await using var node = await TestNode.StartAsync();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => node.Factory.GetGrain<IMisconfiguredGrain>("m").PingAsync());

        Assert.Contains("'missing'", failure.Message, StringComparison.Ordinal);
    }
}
