using System.Collections.Concurrent;
using Orleans.Streams;
using Provenance.Grains.Streams;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Grains.Tests.Streams;

/// <summary>A test watcher of one asset's derivative feed (key: the watched asset id), subscribed explicitly as a platform's grain would.</summary>
public interface IDerivativeWatcherGrain : IGrainWithStringKey
{
    /// <summary>Subscribes to <see cref="ProvenanceStreams.DerivativesOf"/> this grain's key.</summary>
    Task WatchAsync();
}

/// <summary>Records every event it receives in <see cref="Seen"/> (static: the silos run in the test process).</summary>
public sealed class DerivativeWatcherGrain : Grain, IDerivativeWatcherGrain
{
    /// <summary>Deliveries per watched asset id, in arrival order.</summary>
    public static ConcurrentDictionary<string, ConcurrentQueue<(OutboxEvent Event, StreamSequenceToken? Token)>> Seen { get; } = new();

    public async Task WatchAsync()
    {
        var watched = this.GetPrimaryKeyString();
        var stream = this.GetStreamProvider(ProvenanceStreams.ProviderName).GetStream<OutboxEvent>(ProvenanceStreams.DerivativesOf(watched));
        var queue = Seen.GetOrAdd(watched, _ => new());
        await stream.SubscribeAsync((item, token) =>
        {
            queue.Enqueue((item, token));
            return Task.CompletedTask;
        });
    }

    /// <summary>What the watcher of <paramref name="assetId"/> has received.</summary>
    public static IReadOnlyList<(OutboxEvent Event, StreamSequenceToken? Token)> Of(string assetId) =>
        Seen.TryGetValue(assetId, out var queue) ? [.. queue] : [];
}
