using Orleans.Runtime;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// Maps a stream to its queue with <see cref="OutboxStreamIdentity.QueueOf"/>, the function the writer stamped the
/// row with. Queues get evenly spread ring positions so the default (consistent ring) balancer can share them out
/// among silos; that placement only decides which silo reads a queue, never which queue a stream is in.
/// </summary>
internal sealed class OutboxStreamQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] queues;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="queueCount"/> is less than 1.</exception>
    public OutboxStreamQueueMapper(string providerName, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        var spacing = uint.MaxValue / (uint)queueCount;
        queues = new QueueId[queueCount];
        for (var i = 0; i < queueCount; i++)
        {
            queues[i] = QueueId.GetQueueId(providerName, (uint)i, (uint)i * spacing + spacing / 2);
        }
    }

    public IEnumerable<QueueId> GetAllQueues() => queues;

    public QueueId GetQueueForStream(StreamId streamId) => queues[OutboxStreamIdentity.QueueOf(streamId, queues.Length)];

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => queues.Where(q => range.InRange(q.GetUniformHashCode()));

    /// <summary>The queue number (the <c>outbox.queue</c> value) of <paramref name="queueId"/>.</summary>
    public static int QueueNumberOf(QueueId queueId) => (int)queueId.GetNumericId();
}
