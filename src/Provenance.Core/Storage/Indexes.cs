namespace Provenance.Core.Storage;

/// <summary>
/// A stored index row. <see cref="Seq"/> is its place in the index, given after commit in visibility order by
/// <see cref="IIndexSequencer"/>; null while the row is committed but not numbered yet. <see cref="Id"/> is the row's
/// insertion id, which orders rows that are not numbered yet.
/// </summary>
public sealed record IndexRecord(long? Seq, long Id, string Index, string Key, string Value, ReadOnlyMemory<byte> Data);

/// <summary>
/// Where a read of one (index, key) list resumes: after numbered row <see cref="Seq"/>, and, when
/// <see cref="PendingId"/> is set, after the not-yet-numbered rows up to that id that an earlier page returned.
/// </summary>
public readonly record struct IndexCursor(long Seq, long PendingId = 0)
{
    /// <summary>The start of a list.</summary>
    public static IndexCursor Start => default;

    /// <summary>The cursor that follows <paramref name="rows"/> read from <paramref name="after"/>.</summary>
    public static IndexCursor After(IndexCursor after, IReadOnlyList<IndexRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var next = after;
        foreach (var row in rows)
        {
            next = row.Seq is { } seq ? next with { Seq = seq } : next with { PendingId = row.Id };
        }

        return next;
    }
}

/// <summary>Reads the secondary index written through <see cref="DurableEffects.IndexEntries"/>.</summary>
/// <remarks>
/// A read never waits for write-side work: rows committed but not numbered yet are returned after the numbered ones,
/// in insertion order, so a write is readable as soon as it is acknowledged.
/// </remarks>
public interface IGrainIndex
{
    /// <summary>
    /// Rows under (<paramref name="index"/>, <paramref name="key"/>) after <paramref name="after"/>, at most
    /// <paramref name="limit"/>: numbered rows in sequence order, then (when those do not fill the page) rows not
    /// numbered yet, in insertion order.
    /// </summary>
    /// <remarks>
    /// Requires <paramref name="limit"/> &gt; 0. Numbering is in visibility order, so a row numbered later always
    /// sorts after every numbered row: reading again from <c>new IndexCursor(lastNumberedSeq)</c> misses nothing
    /// (rows returned unnumbered before come back, numbered). A cursor with <see cref="IndexCursor.PendingId"/> (from
    /// <see cref="IndexCursor.After"/>) pages on without repeating them, at the price of skipping a row that became
    /// visible after the earlier page although inserted before the rows it returned.
    /// </remarks>
    Task<IReadOnlyList<IndexRecord>> QueryAsync(string index, string key, IndexCursor after, int limit, CancellationToken cancellationToken);

    /// <summary>Number of rows under (<paramref name="index"/>, <paramref name="key"/>).</summary>
    Task<long> CountAsync(string index, string key, CancellationToken cancellationToken);
}

/// <summary>Numbers committed index rows in visibility order. Write-side work, run by one grain; never by a read.</summary>
public interface IIndexSequencer
{
    /// <summary>Numbers up to <paramref name="max"/> pending rows in one transaction; returns how many it numbered.</summary>
    Task<int> NumberPendingAsync(int max, CancellationToken cancellationToken);
}
