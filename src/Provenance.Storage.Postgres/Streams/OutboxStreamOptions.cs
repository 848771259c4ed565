using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>Options of the outbox stream provider (<see cref="OutboxStreamsSiloBuilderExtensions.AddOutboxStreams"/>).</summary>
public sealed class OutboxStreamOptions
{
    /// <summary>
    /// Number of queues the outbox streams are spread over (each is read by one silo at a time). Must equal the
    /// storage's <see cref="PostgresStorageOptions.StreamQueueCount"/>, which stamps every row with its queue when it is
    /// written. Changing it needs every silo (and every other writer) stopped; see docs/adr/0007-streams-over-the-outbox.md.
    /// Default 4.
    /// </summary>
    public int QueueCount { get; set; } = 4;

    /// <summary>Most outbox rows a queue receiver reads in one query. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How often an idle receiver queries the outbox when no notification announced new events (the fallback for a
    /// missed NOTIFY). A notification makes the next pull query at once. Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events kept per queue in the silo's queue cache (Orleans' simple queue cache). Default 4096.</summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>Which subscriptions the provider serves (explicit subscriptions need the <c>PubSubStore</c> grain storage). Default both.</summary>
    public StreamPubSubType PubSubType { get; set; } = StreamPubSubType.ExplicitGrainBasedAndImplicit;
}
