using Orleans.Hosting;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>Registers the outbox stream provider on a silo.</summary>
public static class OutboxStreamsSiloBuilderExtensions
{
    /// <summary>
    /// Adds a persistent stream provider named <paramref name="name"/> whose events are the rows of the PostgreSQL
    /// outbox: stream namespace = the row's stream, stream key = its <see cref="Provenance.Core.Storage.OutboxMessage.StreamKey"/>,
    /// else its tenant, else <c>deployment</c>; the payload is an <see cref="OutboxEvent"/> and the token an
    /// <see cref="OutboxSequenceToken"/> (the outbox position). Delivery is at least once, in position order per stream.
    /// The provider is read-only: events are written with grain state (<see cref="Provenance.Core.Storage.DurableEffects"/>).
    /// </summary>
    /// <remarks>
    /// Precondition: the silo's services have <see cref="PostgresStorage"/>
    /// (<see cref="PostgresStorageServiceCollectionExtensions.AddPostgresStorage"/>); the provider reads through it, with
    /// its data source and LISTEN connection, and fails to start without it. <see cref="OutboxStreamOptions.QueueCount"/>
    /// must equal that storage's <see cref="PostgresStorageOptions.StreamQueueCount"/>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (queue count, batch size or cache size below 1, poll interval not positive).</exception>
    public static ISiloBuilder AddOutboxStreams(this ISiloBuilder builder, string name, Action<OutboxStreamOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new OutboxStreamOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCount, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheSize, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero, nameof(configure));
        return builder.AddPersistentStreams(
            name,
            (services, providerName) => OutboxQueueAdapterFactory.Create(services, providerName, options),
            stream => stream.ConfigureStreamPubSub(options.PubSubType));
    }
}
