namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// An outbox row as delivered to Orleans stream subscribers. <paramref name="Position"/> is unique and increasing per
/// deployment and equals the sequence number of the event's <see cref="OutboxSequenceToken"/>, so a consumer drops a
/// redelivered event by remembering the last position it handled on the stream.
/// </summary>
/// <param name="Position">The row's outbox position.</param>
/// <param name="Stream">The outbox stream name (the Orleans stream namespace), e.g. <c>assets</c>.</param>
/// <param name="StreamKey">The key the writer gave (<see cref="Provenance.Core.Storage.OutboxMessage.StreamKey"/>), or <see langword="null"/>.</param>
/// <param name="EventType">Event type, e.g. <c>asset.registered</c>.</param>
/// <param name="Tenant">The event's tenant, or <see langword="null"/> for deployment-wide events.</param>
/// <param name="Payload">UTF-8 JSON payload; treat as read-only.</param>
/// <param name="CreatedAt">When the row was written.</param>
[GenerateSerializer]
[Immutable]
[Alias("provenance.outbox-event")]
public sealed record OutboxEvent(
    [property: Id(0)] long Position,
    [property: Id(1)] string Stream,
    [property: Id(2)] string? StreamKey,
    [property: Id(3)] string EventType,
    [property: Id(4)] string? Tenant,
    [property: Id(5)] byte[] Payload,
    [property: Id(6)] DateTimeOffset CreatedAt);
