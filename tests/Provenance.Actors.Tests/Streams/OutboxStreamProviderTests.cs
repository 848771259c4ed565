using System.Collections.Concurrent;
using Provenance.Actors.Storage;
using Provenance.Actors.Streams;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Streams;

public sealed class OutboxStreamProviderTests
{
    [Fact]
    public async Task SubscribeAsync_EventsCommittedWithState_DeliveredInOrderAndCheckpointed()
    {
        await using var node = await TestNode.StartAsync();
        var received = new ConcurrentQueue<long>();
        var grain = node.Factory.GetGrain<ICounterGrain>("s");
        await using var subscription = await node.Get<IStreamProvider>().SubscribeAsync("audit", "counters", (r, _) =>
        {
            received.Enqueue(r.Position);
            return Task.CompletedTask;
        });

        for (var i = 0; i < 5; i++)
        {
            await grain.AddWithEffectsAsync(1, $"n{i}");
        }

        Assert.True(await Eventually.HoldsAsync(() => received.Count == 5 && subscription.Checkpoint == received.Last()));
        Assert.Equal(received.Order(), received);
        Assert.Equal(received.Last(), await node.Storage.GetCheckpointAsync("audit", "counters", CancellationToken.None));
    }

    [Fact]
    public async Task SubscribeAsync_AfterResubscribe_ResumesFromCheckpoint()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ICounterGrain>("resume");
        var provider = node.Get<IStreamProvider>();
        var firstRun = new ConcurrentQueue<string>();
        await grain.AddWithEffectsAsync(1, "a");
        var subscription = await provider.SubscribeAsync("mailer", "counters", (r, _) => Enqueue(firstRun, r));
        await Eventually.HoldsAsync(() => subscription.Checkpoint > 0);
        await subscription.DisposeAsync();
        await grain.AddWithEffectsAsync(1, "b");
        var secondRun = new ConcurrentQueue<string>();

        await using var resumed = await provider.SubscribeAsync("mailer", "counters", (r, _) => Enqueue(secondRun, r));

        Assert.True(await Eventually.HoldsAsync(() => secondRun.Count == 1));
        Assert.Single(firstRun);
        await Task.Delay(50);
        Assert.Single(secondRun);
    }

    [Fact]
    public async Task SubscribeAsync_HandlerThrows_EventRedelivered()
    {
        await using var node = await TestNode.StartAsync();
        var attempts = 0;
        await node.Factory.GetGrain<ICounterGrain>("retry").AddWithEffectsAsync(1, "x");

        await using var subscription = await node.Get<IStreamProvider>().SubscribeAsync("flaky", "counters", (_, _) =>
            Interlocked.Increment(ref attempts) < 3 ? throw new InvalidOperationException("transient") : Task.CompletedTask);

        Assert.True(await Eventually.HoldsAsync(() => subscription.Checkpoint > 0));
        Assert.Equal(3, Volatile.Read(ref attempts));
    }

    private static Task Enqueue(ConcurrentQueue<string> queue, OutboxRecord record)
    {
        queue.Enqueue(record.EventType + "@" + record.Position);
        return Task.CompletedTask;
    }
}
