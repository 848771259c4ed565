using Provenance.Actors.Storage;

namespace Provenance.Actors.Streams;

/// <summary>
/// Durable streams over the outbox (<see cref="IOutboxStore"/>). Events are produced by grains through
/// <see cref="DurableEffects.Events"/>, committed with their state; consumers read them in order.
/// </summary>
public interface IStreamProvider
{
    /// <summary>
    /// Starts a durable consumer: from its saved checkpoint, calls <paramref name="handler"/> for each event
    /// of <paramref name="streamName"/> in position order, one at a time, and saves the checkpoint after each
    /// batch. Delivery is at-least-once: after a crash, or when the handler throws (logged, then the batch is
    /// retried from the checkpoint after <see cref="StreamOptions.RetryDelay"/>), events may be seen again,
    /// so handlers must be idempotent. Runs in the background until the subscription is disposed.
    /// </summary>
    /// <remarks>Use one subscription per consumer name and stream at a time (a second one would duplicate work).</remarks>
    /// <exception cref="InvalidOperationException">No <see cref="IOutboxStore"/> is registered.</exception>
    Task<IStreamSubscription> SubscribeAsync(string consumerName, string streamName, Func<OutboxRecord, CancellationToken, Task> handler, CancellationToken cancellationToken = default);
}

/// <summary>A running durable consumer; disposing it stops the loop (the in-flight handler is cancelled).</summary>
public interface IStreamSubscription : IAsyncDisposable
{
    /// <summary>The consumer's durable name.</summary>
    string ConsumerName { get; }

    /// <summary>The stream consumed.</summary>
    string StreamName { get; }

    /// <summary>The last position saved as handled.</summary>
    long Checkpoint { get; }
}
