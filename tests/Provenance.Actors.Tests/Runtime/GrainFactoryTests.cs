using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class GrainFactoryTests
{
    [Fact]
    public async Task GetGrain_BeforeAndAfterFirstCall_ActivatesOnFirstCallOnly()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("a");
        var activationsBeforeCall = node.Probe.Count("activate:a");

        await grain.PingAsync();

        Assert.Equal(0, activationsBeforeCall);
        Assert.Equal(1, node.Probe.Count("activate:a"));
    }

    [Fact]
    public async Task GetGrain_ManyConcurrentCallsOnOneKey_OneActivation()
    {
        await using var node = await TestNode.StartAsync();

        var instances = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => node.Factory.GetGrain<ILifecycleGrain>("k").PingAsync())));

        Assert.Single(instances.Distinct());
        Assert.Equal(1, node.Probe.Count("activate:k"));
    }

    [Fact]
    public async Task GetGrain_DifferentKeys_DifferentActivations()
    {
        await using var node = await TestNode.StartAsync();

        var first = await node.Factory.GetGrain<ILifecycleGrain>("x").PingAsync();
        var second = await node.Factory.GetGrain<ILifecycleGrain>("y").PingAsync();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task GetGrain_ValueTaskMethod_ReturnsResult()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("vt");

        var viaValueTask = await grain.PingValueAsync();

        Assert.Equal(await grain.PingAsync(), viaValueTask);
    }

    [Fact]
    public async Task GetGrain_GuidAndIntegerKeys_GrainSeesItsKey()
    {
        await using var node = await TestNode.StartAsync();
        var guid = Guid.NewGuid();

        var guidKey = await node.Factory.GetGrain<IGuidKeyGrain>(guid).GetKeyAsync();
        var longKey = await node.Factory.GetGrain<IIntegerKeyGrain>(-42).GetKeyAsync();

        Assert.Equal(guid, guidKey);
        Assert.Equal(-42, longKey);
    }

    [Fact]
    public async Task GetGrain_TypeNames_FromAttributeOrClassName()
    {
        await using var node = await TestNode.StartAsync();

        var id = await node.Factory.GetGrain<ILifecycleGrain>("n").GetIdAsync();
        var guidProxy = node.Factory.GetGrain<IGuidKeyGrain>(Guid.Empty).ToString();

        Assert.Equal(new GrainId("lifecycle", "n"), id);
        Assert.Contains("guid-keyed/", guidProxy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetGrain_SameKeyTwice_ReferencesAreEqual()
    {
        await using var node = await TestNode.StartAsync();

        var first = node.Factory.GetGrain<ILifecycleGrain>("eq");
        var second = node.Factory.GetGrain<ILifecycleGrain>("eq");

        Assert.Equal(first, second);
        Assert.NotEqual(first, node.Factory.GetGrain<ILifecycleGrain>("other"));
    }

    [Fact]
    public async Task GetGrain_InterfaceWithoutGrainClass_ThrowsArgumentException()
    {
        await using var node = await TestNode.StartAsync();

        var exception = Assert.Throws<ArgumentException>(() => node.Factory.GetGrain<IUnimplementedGrain>("z"));

        Assert.Contains("AddGrains", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetGrain_AfterRuntimeStopped_ThrowsObjectDisposed()
    {
        var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("late");

        await node.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => grain.PingAsync());
    }
}

public interface IUnimplementedGrain : IGrainWithStringKey
{
    Task NothingAsync();
}
