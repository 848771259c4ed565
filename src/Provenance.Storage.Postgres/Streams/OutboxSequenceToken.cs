using System.Globalization;
using Orleans.Streams;

namespace Provenance.Storage.Postgres.Streams;

/// <summary>
/// The sequence token of an outbox stream event: its outbox position (one event per row, so <see cref="EventIndex"/>
/// is always 0). A redelivered event carries an equal token.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("provenance.outbox-token")]
public sealed class OutboxSequenceToken : StreamSequenceToken
{
    /// <summary>Creates the token of the event at <paramref name="position"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public OutboxSequenceToken(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        SequenceNumber = position;
    }

    /// <summary>The event's outbox position.</summary>
    [Id(0)]
    public override long SequenceNumber { get; protected set; }

    /// <summary>Always 0: one event per outbox row.</summary>
    [Id(1)]
    public override int EventIndex { get; protected set; }

    /// <inheritdoc/>
    public override bool Equals(StreamSequenceToken? other) =>
        other is not null && other.SequenceNumber == SequenceNumber && other.EventIndex == EventIndex;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StreamSequenceToken other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SequenceNumber, EventIndex);

    /// <summary>Orders by position, then event index; any token compares after <see langword="null"/>.</summary>
    public override int CompareTo(StreamSequenceToken? other)
    {
        if (other is null)
        {
            return 1;
        }

        var bySequence = SequenceNumber.CompareTo(other.SequenceNumber);
        return bySequence != 0 ? bySequence : EventIndex.CompareTo(other.EventIndex);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"outbox:{SequenceNumber}");
}
