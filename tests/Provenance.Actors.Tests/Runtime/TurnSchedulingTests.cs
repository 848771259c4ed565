using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class TurnSchedulingTests
{
    [Fact]
    public async Task Call_ConcurrentCallsOnNonReentrantGrain_NeverOverlap()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("t");

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => grain.WorkAsync(i % 3))));

        Assert.Equal(1, await grain.PeekMaxAsync());
    }

    [Fact]
    public async Task Call_ConcurrentCallsOnReentrantGrain_Interleave()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<IReentrantTurnGrain>("r");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.WorkAsync(50)));

        Assert.True(await grain.PeekMaxAsync() > 1);
    }

    [Fact]
    public async Task Call_AlwaysInterleaveWhileTurnBlocked_RunsImmediately()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("i");
        var blocked = grain.BlockAsync();
        var queuedWriter = grain.WorkAsync(0);

        await grain.ReleaseAsync();
        await Task.WhenAll(blocked, queuedWriter).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(blocked.IsCompletedSuccessfully);
        Assert.True(queuedWriter.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Call_WriterWhileTurnBlocked_WaitsForTurnToEnd()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("w");
        var blocked = grain.BlockAsync();

        var writer = grain.WorkAsync(0);
        await Task.Delay(100);
        var completedWhileBlocked = writer.IsCompleted;
        await grain.ReleaseAsync();
        await writer.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(completedWhileBlocked);
        Assert.True(blocked.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Call_ReadOnlyCalls_RunConcurrentlyWithEachOther()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("ro");

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.ReadAsync(50)));

        Assert.True(await grain.PeekMaxAsync() > 1);
    }

    [Fact]
    public async Task Call_ReadOnlyMixedWithWriters_NeverOverlapsAWriter()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("mix");

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => i % 3 == 0 ? grain.WorkAsync(2) : grain.ReadAsync(2))));

        Assert.False(await grain.ReaderSawWriterAsync());
    }

    [Fact]
    public async Task Call_CycleBetweenNonReentrantGrains_FailsWithTimeout()
    {
        await using var node = await TestNode.StartAsync(new NodeSetup { Runtime = o => o.CallTimeout = TimeSpan.FromMilliseconds(300) });
        var a = node.Factory.GetGrain<ICycleGrain>("a");

        await Assert.ThrowsAsync<TimeoutException>(() => a.CallPeerAsync("b"));

        await Task.Delay(400);
        await a.PingAsync();
    }
}
