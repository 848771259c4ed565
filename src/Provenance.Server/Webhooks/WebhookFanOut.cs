using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Provenance.Server.Metrics;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Server.Webhooks;

/// <summary>
/// Turns outbox stream events into webhook deliveries: <see cref="WebhookStore.FanOutAsync"/> for the event types webhooks
/// carry, then wakes this node's <see cref="WebhookDispatcher"/>. The webhook event id is derived from the outbox position,
/// so a redelivered stream event queues nothing twice.
/// </summary>
internal sealed class WebhookFanOut(WebhookStore store, WebhookQueueSignal signal, ServerMetrics metrics)
{
    /// <summary>Queues <paramref name="event"/> for every subscription that wants it; returns how many deliveries were queued (0 for a redelivery).</summary>
    public async Task<int> FanOutAsync(OutboxEvent @event, CancellationToken cancellationToken)
    {
        if (ToWebhookEvent(@event) is not { } webhookEvent)
        {
            return 0;
        }

        var queued = await store.FanOutAsync(webhookEvent, cancellationToken);
        if (queued > 0)
        {
            metrics.WebhookEventsQueued.Add(queued);
            signal.Notify();
        }

        return queued;
    }

    /// <summary>
    /// The webhook event of an outbox event, or <see langword="null"/> when its type is not one webhooks carry. The id is
    /// <c>evt_{stream}_{position}</c>: the same on every redelivery, and the same as before streams carried webhooks.
    /// </summary>
    internal static WebhookEvent? ToWebhookEvent(OutboxEvent @event)
    {
        if (!WebhookEvents.All.Contains(@event.EventType))
        {
            return null;
        }

        JsonNode? data;
        try
        {
            data = @event.Payload.Length == 0 ? null : JsonNode.Parse(@event.Payload);
        }
        catch (JsonException)
        {
            data = JsonValue.Create(System.Text.Encoding.UTF8.GetString(@event.Payload));
        }

        var id = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"evt_{@event.Stream}_{@event.Position}");
        return new WebhookEvent(id, @event.EventType, @event.Tenant, @event.CreatedAt, data);
    }
}

/// <summary>Wakes this node's <see cref="WebhookDispatcher"/> when deliveries were queued here, so it need not wait for its next poll.</summary>
internal sealed class WebhookQueueSignal : IDisposable
{
    private readonly SemaphoreSlim wake = new(0, int.MaxValue);

    /// <summary>Signals that deliveries were queued.</summary>
    public void Notify() => wake.Release();

    /// <summary>Waits for a signal or <paramref name="timeout"/>, whichever comes first.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => wake.WaitAsync(timeout, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => wake.Dispose();
}

/// <summary>Registers the webhook fan-out on a silo (<see cref="Hosting.ProvenanceSilo.AddProvenanceSilo"/>).</summary>
internal static class WebhookFanOutServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="WebhookFanOutGrain"/> needs: the webhook store (on the silo's PostgreSQL storage), the queue
    /// signal, the server metrics and <see cref="WebhookFanOut"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddWebhookFanOut(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ServerMetrics>();
        services.TryAddSingleton<WebhookStore>();
        services.TryAddSingleton<WebhookQueueSignal>();
        services.TryAddSingleton<WebhookFanOut>();
        return services;
    }
}
