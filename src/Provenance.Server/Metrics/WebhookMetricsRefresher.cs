using Provenance.Server.Webhooks;

namespace Provenance.Server.Metrics;

/// <summary>Webhook delivery backlog for /metrics.</summary>
internal sealed class WebhookMetricsRefresher : IMetricsRefresher
{
    private readonly WebhookStore store;
    private IReadOnlyDictionary<string, long> counts = new Dictionary<string, long>();

    public WebhookMetricsRefresher(WebhookStore store, ServerMetrics metrics)
    {
        this.store = store;
        metrics.Gauge("provenance.webhook.deliveries.stored", () => counts.Select(c => new System.Diagnostics.Metrics.Measurement<double>(c.Value, new KeyValuePair<string, object?>("state", c.Key))),
            "Stored webhook deliveries by state (pending, delivered, dead, cancelled).");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken) => counts = await store.CountByStateAsync(cancellationToken);
}
