namespace Provenance.Core.Storage;

/// <summary>A stored index row with its insertion sequence (increasing per index and key).</summary>
public sealed record IndexRecord(long Seq, string Index, string Key, string Value, ReadOnlyMemory<byte> Data);

/// <summary>Reads the secondary index written through <see cref="DurableEffects.IndexEntries"/>.</summary>
public interface IGrainIndex
{
    /// <summary>
    /// Rows under (<paramref name="index"/>, <paramref name="key"/>) with sequence greater than
    /// <paramref name="afterSeq"/>, in increasing sequence order, at most <paramref name="limit"/>.
    /// </summary>
    /// <remarks>Requires <paramref name="limit"/> &gt; 0. Sequence order is insertion (commit) order, so
    /// <c>afterSeq</c> works as a cursor and for incremental refresh.</remarks>
    Task<IReadOnlyList<IndexRecord>> QueryAsync(string index, string key, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Number of rows under (<paramref name="index"/>, <paramref name="key"/>).</summary>
    Task<long> CountAsync(string index, string key, CancellationToken cancellationToken);
}
