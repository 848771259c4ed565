using Orleans;
using System.Diagnostics.Metrics;

namespace Provenance.Server.Metrics;

/// <summary>The server's own instruments (meter <c>Provenance.Server</c>); exported at <c>/metrics</c> with Orleans' meter (<see cref="MetricsExport"/>).</summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Provenance.Server";

    private readonly Meter meter;

    public ServerMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        Registrations = meter.CreateCounter<long>("provenance.registrations", description: "Assets registered through the API.");
        WebhookDeliveries = meter.CreateCounter<long>("provenance.webhook.deliveries", description: "Webhook delivery attempts by result (delivered, failed, dead).");
        WebhookEventsQueued = meter.CreateCounter<long>("provenance.webhook.queued", description: "Webhook deliveries queued (one per event and subscription).");
        AuditRuns = meter.CreateCounter<long>("provenance.audit.runs", description: "Audit job runs.");
        AuditFindings = meter.CreateCounter<long>("provenance.audit.findings", description: "Audit findings by kind.");
        TsaLatency = meter.CreateHistogram<double>("provenance.tsa.latency", unit: "ms", description: "Latency of RFC 3161 requests by TSA.");
        TsaFailures = meter.CreateCounter<long>("provenance.tsa.failures", description: "Failed RFC 3161 requests by TSA.");
        BuiltInTsaRequests = meter.CreateCounter<long>("provenance.tsa.builtin.requests", description: "Requests answered by the built-in TSA at POST /tsa.");
        GrainCalls = meter.CreateCounter<long>("provenance.actors.calls", "{call}", "Grain calls completed on this silo, by grain type.");
        GrainCallsFailed = meter.CreateCounter<long>("provenance.actors.calls.failed", "{call}", "Grain calls that threw on this silo, by grain type.");
        GrainCallDuration = meter.CreateHistogram<double>("provenance.actors.call.duration", "s", "Grain call latency on this silo, by grain type.");
    }

    /// <summary>The server's meter.</summary>
    public Meter Meter => meter;

    public Counter<long> Registrations { get; }
    public Counter<long> WebhookDeliveries { get; }
    public Counter<long> WebhookEventsQueued { get; }
    public Counter<long> AuditRuns { get; }
    public Counter<long> AuditFindings { get; }
    public Histogram<double> TsaLatency { get; }
    public Counter<long> TsaFailures { get; }
    public Counter<long> BuiltInTsaRequests { get; }
    public Counter<long> GrainCalls { get; }
    public Counter<long> GrainCallsFailed { get; }
    public Histogram<double> GrainCallDuration { get; }

    /// <summary>Adds an observable gauge to the server meter.</summary>
    public void Gauge(string name, Func<IEnumerable<Measurement<double>>> observe, string? description = null) =>
        meter.CreateObservableGauge(name, observe, description: description);

    public void Dispose() => meter.Dispose();
}

/// <summary>TSA failures and a median latency over the last calls, for /v1/runtime (the histogram serves /metrics).</summary>
internal sealed class TsaStatistics
{
    private readonly Lock gate = new();
    private readonly Queue<double> window = new();
    private long failures;

    public void Record(double milliseconds)
    {
        lock (gate)
        {
            window.Enqueue(milliseconds);
            if (window.Count > 256)
            {
                window.Dequeue();
            }
        }
    }

    public void Failed() => Interlocked.Increment(ref failures);

    public (long Failures, double? P50) Snapshot()
    {
        lock (gate)
        {
            if (window.Count == 0)
            {
                return (Interlocked.Read(ref failures), null);
            }

            var sorted = window.Order().ToArray();
            return (Interlocked.Read(ref failures), sorted[(sorted.Length - 1) / 2]);
        }
    }
}

/// <summary>Log size, pending entries, epoch lag and epochs awaiting timestamps for /metrics, read from the anchor at scrape time.</summary>
internal sealed class LogMetricsRefresher : IMetricsRefresher
{
    private readonly IGrainFactory grains;
    private Provenance.Core.Contracts.AnchorStatusDto? status;
    private DateTimeOffset at;

    public LogMetricsRefresher(IGrainFactory grains, ServerMetrics metrics)
    {
        this.grains = grains;
        metrics.Gauge("provenance.log.size", () => Value(s => s.LogSize), "Sequenced entries in the log.");
        metrics.Gauge("provenance.log.pending", () => Value(s => s.PendingEntries), "Log entries not yet in an epoch.");
        metrics.Gauge("provenance.epoch.latest", () => Value(s => s.LastEpoch ?? 0), "Number of the latest sealed epoch.");
        metrics.Gauge("provenance.epoch.lag.seconds", () => Value(s => s.LastSealedAt is { } t ? (at - t).TotalSeconds : 0), "Seconds since the latest epoch was sealed.");
        metrics.Gauge("provenance.epoch.awaiting_timestamp", () => Value(s => s.EpochsAwaitingTimestamp), "Sealed epochs still waiting for a TSA token.");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        status = await grains.GetGrain<Provenance.Grains.Epochs.IAnchorGrain>(Provenance.Grains.Log.LogGrainKeys.Anchor).StatusAsync();
        at = DateTimeOffset.UtcNow;
    }

    private IEnumerable<Measurement<double>> Value(Func<Provenance.Core.Contracts.AnchorStatusDto, double> read) =>
        status is null ? [] : [new Measurement<double>(read(status))];
}
