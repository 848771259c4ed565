using Orleans.Runtime;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>One outbox row on its way through the queue cache to the subscribers of its stream.</summary>
[GenerateSerializer]
[Immutable]
[Alias("provenance.outbox-batch")]
internal sealed record OutboxBatchContainer([property: Id(0)] StreamId StreamId, [property: Id(1)] OutboxEvent Event) : IBatchContainer
{
    public StreamSequenceToken SequenceToken => new OutboxSequenceToken(Event.Position);

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        if (Event is T typed)
        {
            yield return Tuple.Create<T, StreamSequenceToken>(typed, SequenceToken);
        }
    }

    /// <summary>Outbox events carry no request context (they are written by a state transaction, not a call).</summary>
    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId}@{Event.Position}";
}
