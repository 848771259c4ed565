using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

/// <summary>A test subscriber: one activation per stream key, implicitly subscribed to the test namespaces.</summary>
public interface IOutboxSubscriberGrain : IGrainWithStringKey
{
}

/// <summary>Records every event it receives in <see cref="Deliveries"/> (static: the silos run in the test process, and the record must outlive a killed silo).</summary>
[ImplicitStreamSubscription(OutboxStreamTestCluster.AssetsStream)]
[ImplicitStreamSubscription(OutboxStreamTestCluster.DerivativesStream)]
public sealed class OutboxSubscriberGrain : Grain, IOutboxSubscriberGrain, IStreamSubscriptionObserver
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        var streamId = handleFactory.StreamId;
        var handle = handleFactory.Create<OutboxEvent>();
        await handle.ResumeAsync((item, token) =>
        {
            Deliveries.Record(streamId, item, token);
            return Task.CompletedTask;
        });
    }
}

/// <summary>One delivery: the stream it came on, the event and its token.</summary>
public sealed record Delivery(StreamId StreamId, OutboxEvent Event, StreamSequenceToken? Token);

/// <summary>Every delivery to <see cref="OutboxSubscriberGrain"/>, per stream, in arrival order.</summary>
public static class Deliveries
{
    private static readonly ConcurrentDictionary<StreamId, ConcurrentQueue<Delivery>> ByStream = new();

    public static void Record(StreamId streamId, OutboxEvent item, StreamSequenceToken? token) =>
        ByStream.GetOrAdd(streamId, _ => new ConcurrentQueue<Delivery>()).Enqueue(new Delivery(streamId, item, token));

    public static IReadOnlyList<Delivery> Of(StreamId streamId) =>
        ByStream.TryGetValue(streamId, out var queue) ? [.. queue] : [];

    /// <summary>Waits until <paramref name="streamId"/> has received every position in <paramref name="positions"/>.</summary>
    /// <exception cref="TimeoutException">Not all arrived within <paramref name="timeout"/>.</exception>
    public static async Task<IReadOnlyList<Delivery>> WaitForAsync(StreamId streamId, IEnumerable<long> positions, TimeSpan timeout)
    {
        var wanted = positions.ToHashSet();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var got = Of(streamId);
            if (wanted.IsSubsetOf(got.Select(d => d.Event.Position)))
            {
                return got;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"{streamId}: waited for [{string.Join(",", wanted.Order())}], got [{string.Join(",", got.Select(d => d.Event.Position))}]");
            }

            await Task.Delay(50);
        }
    }
}
