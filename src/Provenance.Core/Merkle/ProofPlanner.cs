using System.Numerics;

namespace Provenance.Core.Merkle;

/// <summary>
/// Which stored nodes a proof needs (RFC 9162 sections 2.1.3.1 and 2.1.4.1), independent of hashing:
/// a storage layer fetches <see cref="ProofNodes.Ids"/> and calls <see cref="ProofNodes.Rehash"/>.
/// </summary>
public static class ProofPlanner
{
    /// <summary>
    /// Plans the inclusion proof of leaf <paramref name="index"/> in the tree of size <paramref name="size"/>
    /// (RFC 9162 section 2.1.3.1). Requires <c>0 &lt;= index &lt; size</c>.
    /// </summary>
    /// <exception cref="InvalidProofException">The index is outside <c>[0, size)</c>.</exception>
    public static ProofNodes Inclusion(long index, long size)
    {
        if (index < 0 || index >= size)
        {
            throw new InvalidProofException($"Leaf index {index} is outside the tree [0, {size}).", "index");
        }

        return Plan(index, 0, size).SkipFirst();
    }

    /// <summary>
    /// Plans the consistency proof between the trees of sizes <paramref name="size1"/> and
    /// <paramref name="size2"/> (RFC 9162 section 2.1.4.1). Requires <c>0 &lt; size1 &lt;= size2</c>;
    /// equal sizes need no nodes.
    /// </summary>
    /// <exception cref="InvalidProofException"><c>size1 &lt;= 0</c> or <c>size1 &gt; size2</c>.</exception>
    public static ProofNodes Consistency(long size1, long size2)
    {
        if (size1 <= 0)
        {
            throw new InvalidProofException($"A consistency proof needs a non-empty first tree, got size1 {size1}.", "size1");
        }

        if (size1 > size2)
        {
            throw new InvalidProofException($"size1 {size1} is greater than size2 {size2}.", "size1");
        }

        if (size1 == size2)
        {
            return new ProofNodes([], 0, 0, null);
        }

        // The largest perfect subtree ending at size1 seeds the proof; the rest is its inclusion path in size2.
        var level = BitOperations.TrailingZeroCount(size1);
        var index = (size1 - 1) >> level;
        var nodes = Plan(index, level, size2);

        // When size1 is a power of two the seed is root1 itself, which the verifier already has.
        return index == 0 ? nodes.SkipFirst() : nodes;
    }

    /// <summary>
    /// The seed node (level, index), its siblings up to the fork (the highest ancestor whose range is still
    /// complete in a tree of <paramref name="size"/>), the right-edge perfect subtrees (lowest level first)
    /// and the left perfect subtrees (lowest level first). Requires the seed to be complete in the tree.
    /// </summary>
    private static ProofNodes Plan(long index, int level, long size)
    {
        var last = size >> level;
        var inner = 63 - BitOperations.LeadingZeroCount((ulong)(index ^ last));
        var fork = new NodeId(level + inner, index >> inner);

        var ids = new List<NodeId>(2 + inner + 2 * 64);
        var node = new NodeId(level, index);
        ids.Add(node);
        for (; node.Level < fork.Level; node = node.Parent)
        {
            ids.Add(node.Sibling);
        }

        var rightBegin = ids.Count;
        PerfectSubtrees.Cover(fork.End, size, ids);
        var rightCount = ids.Count - rightBegin;
        ids.Reverse(rightBegin, rightCount);

        var leftBegin = ids.Count;
        PerfectSubtrees.Cover(0, fork.Begin, ids);
        ids.Reverse(leftBegin, ids.Count - leftBegin);

        return rightCount > 1
            ? new ProofNodes([.. ids], rightBegin, rightBegin + rightCount, fork.Sibling)
            : new ProofNodes([.. ids], 0, 0, null);
    }
}
