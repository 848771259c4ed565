namespace Provenance.Server.Metrics;

/// <summary>Refreshes values that need I/O (log head, pending entries) right before a scrape; gauges then read the cached values.</summary>
internal interface IMetricsRefresher
{
    /// <summary>Reads the values the gauges report at the next collection.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
