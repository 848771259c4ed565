using Orleans.Streams;
using Orleans.Streams.Core;
using Provenance.Grains;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Server.Webhooks;

/// <summary>The webhook consumer of one tenant's streams (key: the stream key, i.e. the tenant, or <c>deployment</c> for epochs).</summary>
internal interface IWebhookFanOutGrain : IGrainWithStringKey
{
}

/// <summary>
/// Consumes the <c>assets</c> and <c>epochs</c> outbox streams through implicit subscriptions (one activation per stream
/// key, anywhere in the cluster) and fans each event out to the webhook subscriptions. Delivery is at least once and in
/// order per stream; the fan-out is idempotent per outbox position, so a redelivery queues nothing twice, and an event
/// whose fan-out fails is retried by Orleans' delivery retries and then logged by the provider's failure handler.
/// </summary>
[GrainType(GrainTypeName)]
[ImplicitStreamSubscription(StorageNames.AssetsStream)]
[ImplicitStreamSubscription(StorageNames.EpochsStream)]
internal sealed class WebhookFanOutGrain(WebhookFanOut fanOut) : Grain, IWebhookFanOutGrain, IStreamSubscriptionObserver
{
    /// <summary>Grain type name (stateless: nothing is stored under it).</summary>
    public const string GrainTypeName = "webhook-fan-out";

    private readonly Dictionary<string, long> lastPositions = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        var handle = handleFactory.Create<OutboxEvent>();
        await handle.ResumeAsync(OnNextAsync);
    }

    private async Task OnNextAsync(OutboxEvent @event, StreamSequenceToken? token)
    {
        // A redelivery this activation has already fanned out costs no database round trip; one after a move to another
        // silo is absorbed by the store's per-event idempotency.
        if (lastPositions.TryGetValue(@event.Stream, out var last) && @event.Position <= last)
        {
            return;
        }

        await fanOut.FanOutAsync(@event, CancellationToken.None);
        lastPositions[@event.Stream] = @event.Position;
    }
}
