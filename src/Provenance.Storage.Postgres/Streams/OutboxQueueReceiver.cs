using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Streams;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// Reads one queue of the outbox: numbers pending rows (the outbox store's numbering pass), then reads this queue's
/// next rows after its cursor. The cursor is durable: loaded from <c>outbox_checkpoints</c> on
/// <see cref="Initialize(TimeSpan)"/> and saved when Orleans reports rows delivered (purged from the queue cache),
/// so a silo that dies re-delivers at most what it had read but not yet reported delivered, and loses nothing.
/// </summary>
/// <remarks>
/// The pulling agent calls <see cref="GetQueueMessagesAsync(int, CancellationToken)"/> on a short timer; the receiver
/// only queries PostgreSQL when an outbox NOTIFY arrived since its last query, when its last query suggested more rows,
/// or when <see cref="OutboxStreamOptions.PollInterval"/> has passed (the fallback for a missed notification).
/// </remarks>
internal sealed partial class OutboxQueueReceiver : IQueueAdapterReceiver
{
    /// <summary>Value of <c>outbox_checkpoints.stream</c> for a queue cursor (it covers every stream of the queue).</summary>
    internal const string CheckpointStream = "*";

    private static readonly string ReadSql = $"""
        SELECT position, stream, stream_key, event_type, tenant, payload, created_at FROM {SchemaNames.Outbox}
        WHERE queue = $1 AND position > $2 ORDER BY position LIMIT $3
        """;

    private readonly PostgresStorage storage;
    private readonly OutboxStreamOptions options;
    private readonly int queue;
    private readonly ILogger logger;
    private long readCursor;
    private long savedCursor;
    private long seenNotifications = -1;
    private long lastQueryAt;
    private bool mayHaveMore = true;

    public OutboxQueueReceiver(PostgresStorage storage, OutboxStreamOptions options, string providerName, int queue, ILogger logger)
    {
        this.storage = storage;
        this.options = options;
        this.queue = queue;
        this.logger = logger;
        Consumer = ConsumerName(providerName, queue);
    }

    /// <summary>This queue's consumer name in <c>outbox_checkpoints</c>.</summary>
    public string Consumer { get; }

    /// <summary>The checkpoint consumer name of <paramref name="queue"/> of provider <paramref name="providerName"/>.</summary>
    public static string ConsumerName(string providerName, int queue) =>
        string.Create(CultureInfo.InvariantCulture, $"orleans:{providerName}:{queue}");

    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        savedCursor = await storage.Outbox.GetCheckpointAsync(Consumer, CheckpointStream, limit.Token).ConfigureAwait(false);
        readCursor = savedCursor;
        mayHaveMore = true;
        LogStarted(Consumer, savedCursor);
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var limit = maxCount < 0 ? options.BatchSize : Math.Min(maxCount, options.BatchSize);
        if (limit == 0)
        {
            return [];
        }

        // Read the counter before querying: a notification that arrives during the query triggers the next one.
        var notifications = storage.Notifications.OutboxNotificationCount();
        var now = Environment.TickCount64;
        if (!mayHaveMore && notifications == seenNotifications && now - lastQueryAt < (long)options.PollInterval.TotalMilliseconds)
        {
            return [];
        }

        seenNotifications = notifications;
        lastQueryAt = now;
        var pendingMayRemain = await storage.OutboxStore.SequencePendingAsync(cancellationToken).ConfigureAwait(false);
        var batch = new List<IBatchContainer>();
        await using (var command = storage.DataSource.CreateCommand(ReadSql))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = queue });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = readCursor });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var stream = reader.GetString(1);
                var streamKey = reader.IsDBNull(2) ? null : reader.GetString(2);
                var tenant = reader.IsDBNull(4) ? null : reader.GetString(4);
                var @event = new OutboxEvent(
                    reader.GetInt64(0), stream, streamKey, reader.GetString(3), tenant,
                    reader.GetFieldValue<byte[]>(5), reader.GetFieldValue<DateTimeOffset>(6));
                batch.Add(new OutboxBatchContainer(OutboxStreamIdentity.StreamIdOf(stream, streamKey, tenant), @event));
            }
        }

        if (batch.Count > 0)
        {
            readCursor = ((OutboxBatchContainer)batch[^1]).Event.Position;
        }

        // Rows may still be unnumbered (another node was numbering) or the batch was full: look again on the next tick.
        mayHaveMore = pendingMayRemain || batch.Count == limit;
        return batch;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    /// <summary>
    /// Saves the cursor past the delivered rows. The queue cache purges oldest first, so the highest position among
    /// <paramref name="messages"/> ends a prefix of what this receiver read: every row up to it is done.
    /// </summary>
    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        var delivered = savedCursor;
        foreach (var message in messages)
        {
            if (message is OutboxBatchContainer container && container.Event.Position > delivered)
            {
                delivered = container.Event.Position;
            }
        }

        if (delivered > savedCursor)
        {
            await storage.Outbox.SaveCheckpointAsync(Consumer, CheckpointStream, delivered, cancellationToken).ConfigureAwait(false);
            savedCursor = delivered;
        }
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    /// <summary>Nothing to flush: the cursor is saved as deliveries are reported; rows read but not reported delivered are read again by the next owner.</summary>
    public Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        LogStopped(Consumer, savedCursor, readCursor);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox stream receiver {Consumer} starts after position {Cursor}.")]
    private partial void LogStarted(string consumer, long cursor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox stream receiver {Consumer} stops: delivered up to {Saved}, read up to {Read}.")]
    private partial void LogStopped(string consumer, long saved, long read);
}
