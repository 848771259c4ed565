using Provenance.Actors.Storage;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class DeactivationTests
{
    [Fact]
    public async Task CollectIdleActivations_YoungerThanAge_KeepsActivation()
    {
        var time = new ManualTimeProvider();
        await using var node = await TestNode.StartAsync(new NodeSetup { Time = time, Collection = o => o.CollectionAge = TimeSpan.FromMinutes(10) });
        var grain = node.Factory.GetGrain<ILifecycleGrain>("young");
        var instance = await grain.PingAsync();
        time.Advance(TimeSpan.FromMinutes(9));

        var collected = node.Runtime.CollectIdleActivations();

        Assert.Equal(0, collected);
        Assert.Equal(instance, await grain.PingAsync());
    }

    [Fact]
    public async Task CollectIdleActivations_OlderThanAge_DeactivatesAndNextCallReactivates()
    {
        var time = new ManualTimeProvider();
        await using var node = await TestNode.StartAsync(new NodeSetup { Time = time, Collection = o => o.CollectionAge = TimeSpan.FromMinutes(10) });
        var grain = node.Factory.GetGrain<ILifecycleGrain>("old");
        var instance = await grain.PingAsync();
        time.Advance(TimeSpan.FromMinutes(11));

        var collected = node.Runtime.CollectIdleActivations();

        Assert.Equal(1, collected);
        Assert.True(await Eventually.HoldsAsync(() => node.Probe.Count("deactivate:old:ActivationIdle") == 1));
        Assert.NotEqual(instance, await grain.PingAsync());
        Assert.Equal(2, node.Probe.Count("activate:old"));
    }

    [Fact]
    public async Task CollectorLoop_ShortCollectionAge_DeactivatesIdleActivation()
    {
        await using var node = await TestNode.StartAsync(new NodeSetup
        {
            Collection = o =>
            {
                o.CollectionAge = TimeSpan.FromMilliseconds(50);
                o.CollectionQuantum = TimeSpan.FromMilliseconds(25);
            },
        });

        await node.Factory.GetGrain<ILifecycleGrain>("loop").PingAsync();

        Assert.True(await Eventually.HoldsAsync(() => node.Probe.Count("deactivate:loop:ActivationIdle") == 1));
    }

    [Fact]
    public async Task DeactivateOnIdle_CalledInTurn_NextCallGetsNewActivation()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("d");
        var before = await grain.PingAsync();

        await grain.DeactivateAsync();
        var after = await grain.PingAsync();

        Assert.NotEqual(before, after);
        Assert.Equal(1, node.Probe.Count("deactivate:d:ApplicationRequested"));
    }

    [Fact]
    public async Task DeactivateOnIdle_CallsQueuedBehindTurn_AllComplete()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("q");
        await grain.PingAsync();

        var calls = Enumerable.Range(0, 20).Select(i => i == 5 ? grain.DeactivateAsync() : grain.PingAsync()).ToList();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.All(calls, c => Assert.True(c.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task StopAsync_ActiveGrains_DeactivatedWithShuttingDown()
    {
        var probe = new Probe();
        var node = await TestNode.StartAsync(new NodeSetup { Probe = probe });
        await node.Factory.GetGrain<ILifecycleGrain>("s1").PingAsync();
        await node.Factory.GetGrain<ILifecycleGrain>("s2").PingAsync();

        await node.DisposeAsync();

        Assert.Equal(2, probe.Deactivations.Count);
        Assert.All(probe.Deactivations, r => Assert.Equal(DeactivationReasonCode.ShuttingDown, r.ReasonCode));
    }

    [Fact]
    public async Task StateChangedElsewhere_ActiveGrain_DeactivatedAndReloadsFreshState()
    {
        var storage = new MemoryGrainStorage();
        var feed = new ManualStateChangeFeed();
        await using var local = await TestNode.StartAsync(new NodeSetup { Storage = storage, StateChangeFeed = feed });
        await using var remote = await TestNode.StartAsync(new NodeSetup { Storage = storage });
        var grain = local.Factory.GetGrain<ICounterGrain>("shared");
        await grain.AddAsync(1, retry: false);
        await remote.Factory.GetGrain<ICounterGrain>("shared").AddAsync(10, retry: false);

        feed.Raise(new GrainStateKey("counter", "shared", "counter"));

        Assert.True(await Eventually.HoldsAsync(() => local.Probe.Count("counter-activated:shared") == 1 && local.Runtime.FindActivation(new GrainId("counter", "shared")) is null));
        Assert.Equal(11, await grain.GetAsync());
    }

    [Fact]
    public async Task StateChangedElsewhere_UnknownGrain_Ignored()
    {
        var feed = new ManualStateChangeFeed();
        await using var node = await TestNode.StartAsync(new NodeSetup { StateChangeFeed = feed });
        var grain = node.Factory.GetGrain<ILifecycleGrain>("stay");
        var instance = await grain.PingAsync();

        feed.Raise(new GrainStateKey("counter", "stay", "counter"));

        Assert.Equal(instance, await grain.PingAsync());
    }
}
