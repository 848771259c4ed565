namespace Provenance.Core.Merkle;

/// <summary>
/// Identifies a perfect subtree of a Merkle tree: the node at <paramref name="Level"/> (0 = leaves)
/// with position <paramref name="Index"/> among the nodes of that level. It covers the leaves
/// <c>[Index * 2^Level, (Index + 1) * 2^Level)</c> (half-open). In an RFC 9162 tree of size n every
/// such node whose range ends at or before n exists and never changes, so storage may key hashes by it.
/// </summary>
/// <param name="Level">Height above the leaves, 0..63.</param>
/// <param name="Index">Position within the level, &gt;= 0.</param>
public readonly record struct NodeId(int Level, long Index)
{
    /// <summary>First leaf covered (inclusive).</summary>
    public long Begin => Index << Level;

    /// <summary>End of the covered leaves (exclusive).</summary>
    public long End => (Index + 1) << Level;

    /// <summary>The node one level up that contains this one.</summary>
    public NodeId Parent => new(Level + 1, Index >> 1);

    /// <summary>The other child of <see cref="Parent"/>.</summary>
    public NodeId Sibling => new(Level, Index ^ 1);

    /// <inheritdoc/>
    public override string ToString() => $"({Level}, {Index})";
}
