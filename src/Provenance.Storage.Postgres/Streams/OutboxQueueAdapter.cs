using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// The read side of the outbox streams. Events are produced only by committing them with grain state
/// (<see cref="Provenance.Core.Storage.DurableEffects.Events"/>), so an event exists exactly when its state change does;
/// there is no way to publish on these streams directly.
/// </summary>
internal sealed class OutboxQueueAdapter(string name, PostgresStorage storage, OutboxStreamOptions options, ILoggerFactory loggerFactory) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    /// <exception cref="NotSupportedException">Always.</exception>
    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException(
            $"Stream provider '{name}' is read-only: its events come from the PostgreSQL outbox. Add an OutboxMessage to " +
            "DurableEffects.Events and commit it with the grain state (IDurableStateStore.WriteAsync) instead of publishing on the stream.");

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new OutboxQueueReceiver(storage, options, name, OutboxStreamQueueMapper.QueueNumberOf(queueId),
            loggerFactory.CreateLogger<OutboxQueueReceiver>());
}
