using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Provenance.Actors.Diagnostics;

/// <summary>A cheap, point-in-time view of the runtime for dashboards.</summary>
public interface IRuntimeStatistics
{
    /// <summary>Counters per grain type. Costs one pass over the local activations and a sort of each latency window.</summary>
    RuntimeStatisticsSnapshot GetSnapshot();
}

/// <summary>Statistics of all grain types served by this runtime.</summary>
public sealed record RuntimeStatisticsSnapshot(DateTimeOffset Timestamp, IReadOnlyList<GrainTypeStatisticsSnapshot> GrainTypes);

/// <summary>Statistics of one grain type on this node.</summary>
/// <param name="GrainType">Grain type name.</param>
/// <param name="ActiveActivations">Activations currently valid.</param>
/// <param name="TotalActivations">Activations that completed activation since start.</param>
/// <param name="CallsTotal">Calls completed (successfully or not) since start.</param>
/// <param name="CallsFailed">Calls that ended with an exception (including timeouts) since start.</param>
/// <param name="QueueLength">Calls waiting in the mailboxes of this type's activations.</param>
/// <param name="Latency">Call latency (queueing included) over the most recent calls.</param>
public sealed record GrainTypeStatisticsSnapshot(
    string GrainType, int ActiveActivations, long TotalActivations, long CallsTotal, long CallsFailed, int QueueLength, LatencyPercentiles Latency);

/// <summary>Latency percentiles over a window of the most recent <see cref="SampleCount"/> calls.</summary>
public sealed record LatencyPercentiles(TimeSpan P50, TimeSpan P95, TimeSpan P99, int SampleCount);

/// <summary>Lock-free counters of one grain type. Latencies go to a fixed-size ring (the last <see cref="WindowSize"/> calls).</summary>
internal sealed class GrainTypeStatistics(string grainType, RuntimeMetrics metrics)
{
    internal const int WindowSize = 1024;

    private readonly long[] _window = new long[WindowSize];
    private readonly KeyValuePair<string, object?> _tag = new("grain.type", grainType);
    private long _next;
    private int _active;
    private long _total;
    private long _calls;
    private long _failed;

    public string GrainType { get; } = grainType;

    public int ActiveActivations => Volatile.Read(ref _active);

    public void ActivationStarted()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _total);
    }

    public void ActivationStopped() => Interlocked.Decrement(ref _active);

    /// <summary>Records a finished call that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void CallCompleted(long startTimestamp, bool failed)
    {
        var elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        Interlocked.Increment(ref _calls);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }

        // A racing writer may overwrite a neighbour's slot: acceptable for a sampling window.
        _window[(int)((Interlocked.Increment(ref _next) - 1) & (WindowSize - 1))] = elapsed;
        metrics.Record(_tag, elapsed, failed);
    }

    public GrainTypeStatisticsSnapshot Snapshot(int queueLength)
    {
        var count = (int)Math.Min(Volatile.Read(ref _next), WindowSize);
        var samples = new long[count];
        Array.Copy(_window, samples, count);
        Array.Sort(samples);
        return new GrainTypeStatisticsSnapshot(
            GrainType, ActiveActivations, Interlocked.Read(ref _total), Interlocked.Read(ref _calls), Interlocked.Read(ref _failed), queueLength,
            new LatencyPercentiles(Percentile(samples, 0.50), Percentile(samples, 0.95), Percentile(samples, 0.99), count));
    }

    private static TimeSpan Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);
}

/// <summary>The "Provenance.Actors" meter: calls, failures, latency, activations and queue length, tagged by grain type.</summary>
internal sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Provenance.Actors";

    private readonly Meter _meter;

    /// <summary>This runtime's meter (one per runtime; several runtimes in a process each have their own).</summary>
    public Meter Meter => _meter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _duration;

    public RuntimeMetrics(Func<IEnumerable<Measurement<int>>> activations, Func<IEnumerable<Measurement<int>>> queueLength)
    {
        _meter = new Meter(MeterName);
        _calls = _meter.CreateCounter<long>("provenance.actors.calls", "{call}", "Grain calls completed.");
        _failed = _meter.CreateCounter<long>("provenance.actors.calls.failed", "{call}", "Grain calls that threw or timed out.");
        _duration = _meter.CreateHistogram<double>("provenance.actors.call.duration", "s", "Grain call latency including queueing.");
        _meter.CreateObservableGauge("provenance.actors.activations", activations, "{activation}", "Active activations.");
        _meter.CreateObservableGauge("provenance.actors.queue.length", queueLength, "{call}", "Calls waiting in mailboxes.");
    }

    public void Record(KeyValuePair<string, object?> tag, long elapsedTicks, bool failed)
    {
        _calls.Add(1, tag);
        if (failed)
        {
            _failed.Add(1, tag);
        }

        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(0, elapsedTicks).TotalSeconds, tag);
        }
    }

    public void Dispose() => _meter.Dispose();
}
