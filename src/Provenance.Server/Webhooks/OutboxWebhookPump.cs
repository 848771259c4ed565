using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Provenance.Core.Storage;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;

namespace Provenance.Server.Webhooks;

/// <summary>
/// Reads the durable outbox streams (consumer <c>webhooks</c>) and fans each webhook-worthy event out to the
/// subscriptions. The checkpoint is saved after fan-out; fan-out is idempotent per event id, so a crash in
/// between queues nothing twice. Does nothing when no outbox store is registered.
/// </summary>
internal sealed class OutboxWebhookPump(
    IServiceProvider services,
    WebhookStore store,
    WebhookDispatcher dispatcher,
    IOptions<ProvenanceOptions> options,
    ServerMetrics metrics,
    ILogger<OutboxWebhookPump> logger) : BackgroundService
{
    public const string ConsumerName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Webhooks.Enabled)
        {
            return;
        }

        var outbox = services.GetService<IOutboxStore>();
        if (outbox is null)
        {
            logger.LogInformation("No outbox store is registered; webhooks only carry server-side events (audit.mismatch)");
            return;
        }

        var streams = options.Value.Webhooks.Streams;
        await Task.WhenAll(streams.Select(s => PumpAsync(outbox, s, stoppingToken)));
    }

    private async Task PumpAsync(IOutboxStore outbox, string stream, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var position = await outbox.GetCheckpointAsync(ConsumerName, stream, stoppingToken);
                while (true)
                {
                    var batch = await outbox.ReadAsync(stream, position, 100, stoppingToken);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    var queued = 0;
                    foreach (var record in batch)
                    {
                        if (ToWebhookEvent(record) is { } @event)
                        {
                            queued += await store.FanOutAsync(@event, stoppingToken);
                        }
                    }

                    position = batch[^1].Position;
                    await outbox.SaveCheckpointAsync(ConsumerName, stream, position, stoppingToken);
                    if (queued > 0)
                    {
                        metrics.WebhookEventsQueued.Add(queued);
                        dispatcher.Wake();
                    }
                }

                await outbox.WaitForEventsAsync(stream, TimeSpan.FromSeconds(options.Value.Webhooks.PollSeconds * 5), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook pump on stream {Stream} failed; retrying", stream);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.Value.Webhooks.PollSeconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The webhook event for an outbox record, or <see langword="null"/> when its type is not one webhooks carry.</summary>
    internal static WebhookEvent? ToWebhookEvent(OutboxRecord record)
    {
        if (!WebhookEvents.All.Contains(record.EventType))
        {
            return null;
        }

        JsonNode? data;
        try
        {
            data = record.Payload.Length == 0 ? null : JsonNode.Parse(record.Payload.Span);
        }
        catch (JsonException)
        {
            data = JsonValue.Create(System.Text.Encoding.UTF8.GetString(record.Payload.Span));
        }

        return new WebhookEvent($"evt_{record.Stream}_{record.Position}", record.EventType, record.Tenant, record.CreatedAt, data);
    }
}
