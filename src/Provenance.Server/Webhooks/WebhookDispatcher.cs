using System.Diagnostics;
using Microsoft.Extensions.Options;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;

namespace Provenance.Server.Webhooks;

/// <summary>
/// Delivers queued webhook deliveries: claims due rows, POSTs each signed body, and records the outcome. Runs on every
/// node with webhooks enabled and polls the shared table (claims use <c>SKIP LOCKED</c> leases, so nodes never deliver
/// the same row at once); a fan-out on this node wakes it at once through <see cref="WebhookQueueSignal"/>.
/// A non-2xx answer or a transport error schedules a retry after base·2^(attempt-1) (capped). Delivery is at
/// least once: a crash between the POST and the bookkeeping redelivers after the claim lease.
/// </summary>
internal sealed class WebhookDispatcher(
    WebhookStore store,
    WebhookQueueSignal signal,
    IHttpClientFactory httpClients,
    IOptions<ProvenanceOptions> options,
    ServerMetrics metrics,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Webhooks.Enabled)
        {
            return;
        }

        var settings = options.Value.Webhooks;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await store.ClaimDueAsync(32, stoppingToken);
                await Task.WhenAll(batch.GroupBy(d => d.WebhookId).Select(g => DeliverInOrderAsync(g, settings, stoppingToken)));
                if (batch.Count == 32)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook delivery pass failed; retrying");
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(settings.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DeliverInOrderAsync(IEnumerable<ClaimedDelivery> deliveries, WebhookSettings settings, CancellationToken cancellationToken)
    {
        foreach (var delivery in deliveries)
        {
            await DeliverAsync(delivery, settings, cancellationToken);
        }
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, WebhookSettings settings, CancellationToken cancellationToken)
    {
        int? status = null;
        string? error;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Create(delivery.Secret, time.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
            request.Headers.TryAddWithoutValidation("Provenance-Delivery", $"{delivery.WebhookId}/{delivery.Sequence}");
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await store.MarkDeliveredAsync(delivery, status.Value, CancellationToken.None);
                metrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("result", "delivered"));
                logger.LogDebug("Delivered webhook {Webhook}/{Sequence} in {Ms} ms", delivery.WebhookId, delivery.Sequence, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            error = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // shutting down: the lease expires and another pass delivers it
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            error = e is OperationCanceledException ? "timeout" : e.Message;
        }

        var attempt = delivery.Attempts + 1;
        DateTimeOffset? next = settings.MaxAttempts > 0 && attempt >= settings.MaxAttempts
            ? null
            : time.GetUtcNow() + Backoff(attempt, settings);
        await store.MarkFailedAsync(delivery, status, error, next, CancellationToken.None);
        metrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("result", next is null ? "dead" : "failed"));
        logger.LogInformation("Webhook {Webhook}/{Sequence} attempt {Attempt} failed ({Error}); {Next}", delivery.WebhookId, delivery.Sequence, attempt, error, next is null ? "giving up" : $"retrying at {next:O}");
    }

    /// <summary>Delay before attempt <paramref name="attempt"/>+1: base·2^(attempt-1), capped.</summary>
    internal static TimeSpan Backoff(int attempt, WebhookSettings settings)
    {
        var seconds = settings.RetryBaseSeconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, settings.MaxRetryDelaySeconds));
    }
}
