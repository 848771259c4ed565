namespace Provenance.Core.Storage;

/// <summary>The head of the append-only log: sequenced size, its RFC 9162 root, and entries still pending.</summary>
public sealed record LogHead(long Size, byte[] RootHash, long Pending);

/// <summary>One log entry. <see cref="Index"/> is <see langword="null"/> while the entry is pending.</summary>
public sealed record LogEntry(string SourceKey, byte[] LeafInput, long? Index, DateTimeOffset AcceptedAt, DateTimeOffset? SequencedAt);

/// <summary>What one sequencing pass did.</summary>
public sealed record SequenceResult(long FirstIndex, int Count, LogHead Head);

/// <summary>Id of a perfect subtree node: level 0 is a leaf; node (level, index) covers leaves [index·2^level, (index+1)·2^level).</summary>
public readonly record struct TreeNodeId(int Level, long Index);

/// <summary>
/// The one append-only Merkle log of a deployment (RFC 9162 hashing, as in Certificate Transparency).
/// Pending entries arrive through <see cref="DurableEffects.LogAppends"/>; a single sequencer at a time
/// gives them contiguous indexes and stores every completed perfect-subtree node, so proofs are served
/// from stored nodes without recomputing the tree.
/// </summary>
public interface ILogStore
{
    /// <summary>The current head.</summary>
    Task<LogHead> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sequences up to <paramref name="maxBatch"/> pending entries in acceptance order, in one transaction,
    /// under the deployment-wide sequencer lock. Returns <see langword="null"/> when another node holds the
    /// lock, and a result with <c>Count == 0</c> when nothing was pending. A crash at any point leaves no gap,
    /// no duplicate index and no lost entry.
    /// </summary>
    Task<SequenceResult?> SequenceAsync(int maxBatch, CancellationToken cancellationToken);

    /// <summary>Hashes of stored perfect-subtree nodes; ids not stored (beyond the log size) are absent from the result.</summary>
    Task<IReadOnlyDictionary<TreeNodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<TreeNodeId> ids, CancellationToken cancellationToken);

    /// <summary>The entry for a source key (e.g. an asset id), or <see langword="null"/>.</summary>
    Task<LogEntry?> FindBySourceAsync(string sourceKey, CancellationToken cancellationToken);

    /// <summary>Leaf inputs of sequenced entries [<paramref name="begin"/>, <paramref name="end"/>) in index order (half-open).</summary>
    Task<IReadOnlyList<byte[]>> ReadLeafInputsAsync(long begin, long end, CancellationToken cancellationToken);
}
