namespace Provenance.Core.Merkle;

/// <summary>
/// Proof generation over an in-memory list of leaf hashes, following the recursive definitions
/// <c>PATH</c> (RFC 9162 section 2.1.3.1) and <c>SUBPROOF</c> (section 2.1.4.1) literally. Costs O(n)
/// hashes per proof; for stored trees use <see cref="ProofPlanner"/>, which needs O(log n) stored nodes.
/// </summary>
public static class MerkleProofs
{
    /// <summary>
    /// Returns the inclusion proof of leaf <paramref name="index"/> in the tree made of the first
    /// <paramref name="size"/> leaf hashes. Requires <c>0 &lt;= index &lt; size &lt;= leafHashes.Count</c>.
    /// </summary>
    /// <exception cref="InvalidProofException">The index is outside <c>[0, size)</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> exceeds the list.</exception>
    public static InclusionProof Inclusion(IMerkleHasher hasher, IReadOnlyList<byte[]> leafHashes, long index, long size)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leafHashes.Count);
        if (index < 0 || index >= size)
        {
            throw new InvalidProofException($"Leaf index {index} is outside the tree [0, {size}).", "index");
        }

        var path = new List<byte[]>();
        Path(hasher, leafHashes, (int)index, 0, (int)size, path);
        return new InclusionProof(index, size, [.. path]);
    }

    /// <summary>
    /// Returns the consistency proof between the trees of the first <paramref name="size1"/> and the first
    /// <paramref name="size2"/> leaf hashes. Requires <c>0 &lt; size1 &lt;= size2 &lt;= leafHashes.Count</c>.
    /// </summary>
    /// <exception cref="InvalidProofException"><c>size1 &lt;= 0</c> or <c>size1 &gt; size2</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size2"/> exceeds the list.</exception>
    public static ConsistencyProof Consistency(IMerkleHasher hasher, IReadOnlyList<byte[]> leafHashes, long size1, long size2)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size2, leafHashes.Count);
        if (size1 <= 0)
        {
            throw new InvalidProofException($"A consistency proof needs a non-empty first tree, got size1 {size1}.", "size1");
        }

        if (size1 > size2)
        {
            throw new InvalidProofException($"size1 {size1} is greater than size2 {size2}.", "size1");
        }

        var path = new List<byte[]>();
        if (size1 < size2)
        {
            SubProof(hasher, leafHashes, (int)size1, 0, (int)size2, true, path);
        }

        return new ConsistencyProof(size1, size2, [.. path]);
    }

    // PATH(m, D[begin:end]); m is relative to begin.
    private static void Path(IMerkleHasher hasher, IReadOnlyList<byte[]> leaves, int m, int begin, int end, List<byte[]> path)
    {
        if (end - begin == 1)
        {
            return;
        }

        var k = LargestPowerOfTwoBelow(end - begin);
        if (m < k)
        {
            Path(hasher, leaves, m, begin, begin + k, path);
            path.Add(MerkleTree.ComputeRoot(hasher, leaves, begin + k, end));
        }
        else
        {
            Path(hasher, leaves, m - k, begin + k, end, path);
            path.Add(MerkleTree.ComputeRoot(hasher, leaves, begin, begin + k));
        }
    }

    // SUBPROOF(m, D[begin:end], b); m is relative to begin.
    private static void SubProof(IMerkleHasher hasher, IReadOnlyList<byte[]> leaves, int m, int begin, int end, bool complete, List<byte[]> path)
    {
        var n = end - begin;
        if (m == n)
        {
            if (!complete)
            {
                path.Add(MerkleTree.ComputeRoot(hasher, leaves, begin, end));
            }

            return;
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(hasher, leaves, m, begin, begin + k, complete, path);
            path.Add(MerkleTree.ComputeRoot(hasher, leaves, begin + k, end));
        }
        else
        {
            SubProof(hasher, leaves, m - k, begin + k, end, false, path);
            path.Add(MerkleTree.ComputeRoot(hasher, leaves, begin, begin + k));
        }
    }

    // The k of RFC 9162 section 2.1.1: the largest power of two smaller than n, for n > 1.
    private static int LargestPowerOfTwoBelow(int n) => 1 << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)(n - 1)));
}
