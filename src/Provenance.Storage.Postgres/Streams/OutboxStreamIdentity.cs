using Orleans.Runtime;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// The one place that decides which Orleans stream and which queue an outbox row belongs to. The writer
/// (<see cref="State.PostgresGrainStorage"/>) stores <see cref="QueueOf(StreamId, int)"/> in the row's <c>queue</c>
/// column and the stream provider's <see cref="OutboxStreamQueueMapper"/> uses the same function, so a receiver finds
/// exactly the rows of the streams it owns.
/// </summary>
internal static class OutboxStreamIdentity
{
    /// <summary>Stream key of events with neither a stream key nor a tenant (deployment-wide events).</summary>
    public const string DeploymentKey = "deployment";

    /// <summary>The key of a row's stream inside its namespace: the stream key, else the tenant, else <see cref="DeploymentKey"/>.</summary>
    public static string KeyOf(string? streamKey, string? tenant) =>
        !string.IsNullOrEmpty(streamKey) ? streamKey : !string.IsNullOrEmpty(tenant) ? tenant : DeploymentKey;

    /// <summary>The Orleans stream of a row: namespace = the outbox stream name, key = <see cref="KeyOf"/>.</summary>
    public static StreamId StreamIdOf(string stream, string? streamKey, string? tenant) => StreamId.Create(stream, KeyOf(streamKey, tenant));

    /// <summary>
    /// The queue of <paramref name="streamId"/> among <paramref name="queueCount"/> queues. Stable across processes,
    /// machines and versions (32-bit FNV-1a over the namespace bytes, a zero byte, the key bytes): rows already written
    /// carry its result, so it must never change.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="queueCount"/> is less than 1.</exception>
    public static int QueueOf(StreamId streamId, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        const uint offsetBasis = 2166136261, prime = 16777619;
        var hash = offsetBasis;
        foreach (var b in streamId.Namespace.Span)
        {
            hash = (hash ^ b) * prime;
        }

        hash *= prime; // the zero separator byte: ("ab", "c") and ("a", "bc") differ
        foreach (var b in streamId.Key.Span)
        {
            hash = (hash ^ b) * prime;
        }

        return (int)(hash % (uint)queueCount);
    }
}
