using OpenTelemetry.Metrics;

namespace Provenance.Server.Metrics;

/// <summary>
/// The OpenTelemetry meter provider behind <c>/metrics</c> (ADR 0009): Orleans' meter (<see cref="OrleansMeterName"/>)
/// and this server's <see cref="ServerMetrics"/>, exported in the Prometheus text format by OpenTelemetry's ASP.NET
/// Core exporter. Names follow OpenTelemetry's Prometheus rules: '.' becomes '_', the unit is a suffix
/// (<c>_milliseconds</c>, <c>_seconds</c>), counters end in <c>_total</c>.
/// </summary>
internal static class MetricsExport
{
    /// <summary>The meter Orleans' runtime records on (grain calls, activations, messaging, storage).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>Path of the scraping endpoint.</summary>
    public const string Path = "/metrics";

    private static readonly double[] MillisecondBuckets = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
    private static readonly double[] SecondBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Adds the meter provider and its Prometheus exporter; map the endpoint with <see cref="MapMetricsEndpoint"/>.</summary>
    public static IServiceCollection AddProvenanceMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ServerMetrics.MeterName, OrleansMeterName).AddPrometheusExporter(o =>
            {
                // A scrape right after an action must see it (the tests do that); Prometheus scrapes seldom enough.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                // Plain series, no otel_scope_* labels or target_info: the names and labels the docs list.
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            });
            // The view needs this container's ServerMetrics. Resolve it while the provider is being built, before it
            // listens: resolving inside the view callback would run on whatever thread publishes an instrument.
            ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
            {
                var ours = sp.GetRequiredService<ServerMetrics>();
                builder.AddView(instrument => Stream(instrument, ours));
            });
        });
        return services;
    }

    /// <summary>
    /// Maps <c>GET /metrics</c>. Before each scrape the <see cref="IMetricsRefresher"/>s read what the gauges report
    /// (log head, webhook backlog), so the values are current without I/O inside a meter callback.
    /// </summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this IEndpointRouteBuilder routes) =>
        routes.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: pipeline => pipeline.Use(async (http, next) =>
        {
            foreach (var refresher in http.RequestServices.GetServices<IMetricsRefresher>())
            {
                await refresher.RefreshAsync(http.RequestAborted);
            }

            await next(http);
        }), optionsName: null);

    /// <summary>
    /// Drops the instruments of another server's <see cref="ServerMetrics.MeterName"/> meter (several servers share a
    /// process in tests; each exports its own) and gives histograms buckets that fit their unit.
    /// </summary>
    private static MetricStreamConfiguration? Stream(System.Diagnostics.Metrics.Instrument instrument, ServerMetrics ours)
    {
        if (instrument.Meter.Name == ServerMetrics.MeterName && !ReferenceEquals(instrument.Meter, ours.Meter))
        {
            return MetricStreamConfiguration.Drop;
        }

        if (instrument.Meter.Name != ServerMetrics.MeterName || instrument.GetType().GetGenericTypeDefinition() != typeof(System.Diagnostics.Metrics.Histogram<>))
        {
            return null;
        }

        return new ExplicitBucketHistogramConfiguration { Boundaries = instrument.Unit == "s" ? SecondBuckets : MillisecondBuckets };
    }
}
