using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans;

namespace Provenance.Server.Metrics;

/// <summary>
/// Calls, failures, calls in progress and recent latencies per grain type on this silo, measured by an incoming grain
/// call filter (Orleans' own meters carry no per-type latencies). Latency percentiles are over the last
/// <see cref="Window"/> calls of each type. The same calls feed the <c>provenance.actors.*</c> instruments of
/// <see cref="ServerMetrics"/> (tag <c>grain_type</c>) for /metrics.
/// </summary>
internal sealed class GrainCallStatistics(ServerMetrics metrics) : IIncomingGrainCallFilter
{
    /// <summary>Latencies kept per grain type.</summary>
    public const int Window = 1024;

    private readonly ConcurrentDictionary<string, TypeStats> _types = new(StringComparer.Ordinal);
    private long _storageErrors;

    /// <summary>Grain calls that failed with a database error since start.</summary>
    public long StorageErrors => Interlocked.Read(ref _storageErrors);

    /// <inheritdoc/>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var type = context.TargetId.Type.ToString()!;
        var stats = _types.GetOrAdd(type, static _ => new TypeStats());
        if (stats.ClassName is null && context.TargetContext.GrainInstance is { } instance)
        {
            stats.ClassName = ClassNameOf(instance.GetType());
        }

        Interlocked.Increment(ref stats.InProgress);
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await context.Invoke();
        }
        catch (Exception exception)
        {
            failed = true;
            if (exception is System.Data.Common.DbException)
            {
                Interlocked.Increment(ref _storageErrors);
            }

            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            stats.Record(elapsed, failed);
            var tag = new KeyValuePair<string, object?>("grain_type", type);
            metrics.GrainCalls.Add(1, tag);
            metrics.GrainCallDuration.Record(elapsed.TotalSeconds, tag);
            if (failed)
            {
                metrics.GrainCallsFailed.Add(1, tag);
            }
            Interlocked.Decrement(ref stats.InProgress);
        }
    }

    /// <summary>The name Orleans' management grain reports for a grain class: <c>FullName,AssemblyName</c>.</summary>
    public static string ClassNameOf(Type type) => $"{type.FullName},{type.Assembly.GetName().Name}";

    /// <summary>The grain type of each grain class that received a call (management-grain class name → grain type).</summary>
    public IReadOnlyDictionary<string, string> GrainTypesByClass() =>
        _types.Where(kv => kv.Value.ClassName is not null).ToDictionary(kv => kv.Value.ClassName!, kv => kv.Key, StringComparer.Ordinal);

    /// <summary>A snapshot per grain type: (calls, failed, in progress, p50, p95, p99 in ms).</summary>
    public IReadOnlyDictionary<string, (long Calls, long Failed, long InProgress, double P50, double P95, double P99)> Snapshot() =>
        _types.ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot(), StringComparer.Ordinal);

    private sealed class TypeStats
    {
        private readonly double[] _latencies = new double[Window];
        private long _calls;
        private long _failed;
        public long InProgress;
        public string? ClassName;

        public void Record(TimeSpan elapsed, bool failed)
        {
            var n = Interlocked.Increment(ref _calls);
            _latencies[(n - 1) % Window] = elapsed.TotalMilliseconds;
            if (failed)
            {
                Interlocked.Increment(ref _failed);
            }
        }

        public (long, long, long, double, double, double) Snapshot()
        {
            var calls = Interlocked.Read(ref _calls);
            var sample = _latencies.Take((int)Math.Min(calls, Window)).Order().ToArray();
            return (calls, Interlocked.Read(ref _failed), Interlocked.Read(ref InProgress), Percentile(sample, 0.50), Percentile(sample, 0.95), Percentile(sample, 0.99));
        }

        private static double Percentile(double[] sorted, double q) =>
            sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
