using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// Builds the outbox stream provider's parts for one silo: the read-only adapter, the queue mapper shared with the
/// writer, Orleans' simple queue cache and a failure handler that logs. Reads through the silo's
/// <see cref="PostgresStorage"/> (registered with <see cref="PostgresStorageServiceCollectionExtensions.AddPostgresStorage"/>).
/// </summary>
internal sealed class OutboxQueueAdapterFactory : IQueueAdapterFactory
{
    private readonly string name;
    private readonly PostgresStorage storage;
    private readonly OutboxStreamOptions options;
    private readonly ILoggerFactory loggerFactory;
    private readonly OutboxStreamQueueMapper mapper;
    private readonly SimpleQueueAdapterCache cache;

    /// <exception cref="InvalidOperationException">The queue count differs from the storage's <see cref="PostgresStorageOptions.StreamQueueCount"/>.</exception>
    public OutboxQueueAdapterFactory(string name, PostgresStorage storage, OutboxStreamOptions options, ILoggerFactory loggerFactory)
    {
        if (options.QueueCount != storage.Options.StreamQueueCount)
        {
            throw new InvalidOperationException(
                $"Outbox stream provider '{name}' has {options.QueueCount} queues but the storage stamps rows for " +
                $"{storage.Options.StreamQueueCount} (PostgresStorageOptions.StreamQueueCount); set both to the same value on every silo.");
        }

        this.name = name;
        this.storage = storage;
        this.options = options;
        this.loggerFactory = loggerFactory;
        mapper = new OutboxStreamQueueMapper(name, options.QueueCount);
        cache = new SimpleQueueAdapterCache(new SimpleQueueCacheOptions { CacheSize = options.CacheSize }, name, loggerFactory);
    }

    /// <summary>The factory for <see cref="Orleans.Hosting.SiloBuilderStreamingExtensions.AddPersistentStreams"/>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="PostgresStorage"/> is not registered, or the queue counts differ.</exception>
    public static OutboxQueueAdapterFactory Create(IServiceProvider services, string name, OutboxStreamOptions options) =>
        new(name, services.GetRequiredService<PostgresStorage>(), options, services.GetRequiredService<ILoggerFactory>());

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) =>
        Task.FromResult<IQueueAdapter>(new OutboxQueueAdapter(name, storage, options, loggerFactory));

    public IQueueAdapterCache GetQueueAdapterCache() => cache;

    public IStreamQueueMapper GetStreamQueueMapper() => mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new OutboxStreamFailureHandler(loggerFactory.CreateLogger<OutboxStreamFailureHandler>(), queueId));
}
