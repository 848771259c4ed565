using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// Logs an event a subscriber could not take (after Orleans' delivery retries) and keeps the subscription: the event
/// stays in the outbox, so it can be replayed from its position, and the other events of the stream keep flowing.
/// </summary>
internal sealed partial class OutboxStreamFailureHandler(ILogger logger, QueueId queueId) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogDeliveryFailure(streamProviderName, queueId, streamIdentity, sequenceToken, subscriptionId);
        return Task.CompletedTask;
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogSubscriptionFailure(streamProviderName, queueId, streamIdentity, sequenceToken, subscriptionId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Outbox stream {Provider} queue {Queue}: event {Token} of {StreamId} was not delivered to subscription {Subscription}; it stays in the outbox.")]
    private partial void LogDeliveryFailure(string provider, QueueId queue, StreamId streamId, StreamSequenceToken? token, GuidId subscription);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Outbox stream {Provider} queue {Queue}: subscription {Subscription} to {StreamId} failed at {Token}.")]
    private partial void LogSubscriptionFailure(string provider, QueueId queue, StreamId streamId, StreamSequenceToken? token, GuidId subscription);
}
