using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Provenance.Server.Metrics;

/// <summary>Refreshes values that need I/O (log head, pending entries) right before a scrape; gauges then read the cached values.</summary>
internal interface IMetricsRefresher
{
    Task RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Prometheus text exposition (format 0.0.4) of every instrument of the meters whose name starts with
/// <c>Provenance</c>, collected with a <see cref="MeterListener"/>: counters as <c>_total</c>, histograms as
/// <c>_bucket</c>/<c>_sum</c>/<c>_count</c>, gauges and up-down counters as gauges. Names are the instrument
/// names with '.' turned into '_'; tags become labels.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] MillisecondBuckets = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
    private static readonly double[] SecondBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> states = new();
    private readonly IEnumerable<IMetricsRefresher> refreshers;
    private readonly SemaphoreSlim scrape = new(1, 1);

    /// <summary>Starts listening at once: measurements made before the exporter exists are lost, so resolve it at start-up.</summary>
    public PrometheusExporter(IEnumerable<IMetricsRefresher> refreshers, ServerMetrics serverMetrics)
    {
        this.refreshers = refreshers;
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Another server in the same process (tests) has its own server meter: export only ours.
            var ours = instrument.Meter.Name != ServerMetrics.MeterName || ReferenceEquals(instrument.Meter, serverMetrics.Meter);
            if (ours && instrument.Meter.Name.StartsWith("Provenance", StringComparison.Ordinal))
            {
                states[instrument] = new InstrumentState(instrument);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.MeasurementsCompleted = (instrument, state) => states.TryRemove(instrument, out var removed);
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
    }

    /// <summary>Writes the exposition of all instruments.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        await scrape.WaitAsync(cancellationToken);
        try
        {
            foreach (var refresher in refreshers)
            {
                await refresher.RefreshAsync(cancellationToken);
            }

            foreach (var state in states.Values.Where(s => s.IsObservable))
            {
                state.ClearSeries();
            }

            listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var state in states.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                state.Write(text);
            }

            return text.ToString();
        }
        finally
        {
            scrape.Release();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (states.TryGetValue(instrument, out var state))
        {
            state.Record(value, tags);
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        scrape.Dispose();
    }

    private sealed class InstrumentState(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, Series> series = new(StringComparer.Ordinal);
        private readonly double[] Buckets = instrument.Unit == "s" ? SecondBuckets : MillisecondBuckets;

        public string Name { get; } = Sanitize(instrument.Name) + UnitSuffix(instrument.Unit);

        public bool IsObservable => instrument.IsObservable;

        private string Kind => instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => "counter",
            Histogram<long> or Histogram<int> or Histogram<double> => "histogram",
            _ => "gauge",
        };

        public void ClearSeries() => series.Clear();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var s = series.GetOrAdd(labels, _ => new Series());
            lock (s)
            {
                switch (Kind)
                {
                    case "counter" when !instrument.IsObservable:
                        s.Value += value;
                        break;
                    case "histogram":
                        s.Count++;
                        s.Sum += value;
                        s.Buckets ??= new long[Buckets.Length];
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            if (value <= Buckets[i])
                            {
                                s.Buckets[i]++;
                            }
                        }

                        break;
                    case "gauge" when instrument is UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>:
                        s.Value += value;
                        break;
                    default:
                        s.Value = value;
                        break;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            var kind = Kind;
            var name = kind == "counter" ? Name + "_total" : Name;
            if (instrument.Description is { Length: > 0 } help)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
            foreach (var (labels, s) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (s)
                {
                    if (kind == "histogram")
                    {
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            Line(text, Name + "_bucket", Join(labels, "le=\"" + Format(Buckets[i]) + "\""), s.Buckets?[i] ?? 0);
                        }

                        Line(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), s.Count);
                        Line(text, Name + "_sum", labels, s.Sum);
                        Line(text, Name + "_count", labels, s.Count);
                    }
                    else
                    {
                        Line(text, name, labels, s.Value);
                    }
                }
            }
        }

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var pairs = new List<string>(tags.Length);
            foreach (var tag in tags)
            {
                var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                pairs.Add(Sanitize(tag.Key) + "=\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || chars[i] == ':'))
                {
                    chars[i] = '_';
                }
            }

            return new string(chars);
        }

        private static string UnitSuffix(string? unit) => unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };

        private static string Format(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf" : value.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class Series
    {
        public double Value;
        public long Count;
        public double Sum;
        public long[]? Buckets;
    }
}
