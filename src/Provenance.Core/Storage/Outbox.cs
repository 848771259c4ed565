namespace Provenance.Core.Storage;

/// <summary>An outbox event with its stream position. Positions increase in the order events became
/// visible, with no later-visible gap, so <c>afterPosition</c> is a safe cursor.</summary>
public sealed record OutboxRecord(long Position, string Stream, string EventType, string? Tenant, ReadOnlyMemory<byte> Payload, DateTimeOffset CreatedAt);

/// <summary>Reads the durable outbox and keeps durable consumer checkpoints (at-least-once delivery).</summary>
public interface IOutboxStore
{
    /// <summary>Events of <paramref name="stream"/> after <paramref name="afterPosition"/>, in order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<OutboxRecord>> ReadAsync(string stream, long afterPosition, int max, CancellationToken cancellationToken);

    /// <summary>The last position a consumer has acknowledged on a stream (0 when none).</summary>
    Task<long> GetCheckpointAsync(string consumer, string stream, CancellationToken cancellationToken);

    /// <summary>Records that a consumer has handled everything up to and including <paramref name="position"/>.</summary>
    Task SaveCheckpointAsync(string consumer, string stream, long position, CancellationToken cancellationToken);

    /// <summary>Completes when new events may be available on <paramref name="stream"/>, or after <paramref name="maxWait"/>.</summary>
    Task WaitForEventsAsync(string stream, TimeSpan maxWait, CancellationToken cancellationToken);
}
