using System.Numerics;

namespace Provenance.Core.Merkle;

/// <summary>
/// Verification of inclusion (RFC 9162 section 2.1.3.2) and consistency (section 2.1.4.2) proofs.
/// Every method either returns normally (the proof holds) or throws: <see cref="InvalidProofException"/>
/// for malformed input, <see cref="RootMismatchException"/> when a well-formed proof leads elsewhere.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>
    /// Checks that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of
    /// <paramref name="size"/> leaves whose root is <paramref name="root"/> (RFC 9162 section 2.1.3.2).
    /// Requires <c>0 &lt;= index &lt; size</c>.
    /// </summary>
    /// <exception cref="InvalidProofException">Index out of range, a hash of the wrong size, or the wrong number of proof hashes.</exception>
    /// <exception cref="RootMismatchException">The proof leads to a different root.</exception>
    public static void VerifyInclusion(
        IMerkleHasher hasher, long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        Span<byte> calculated = stackalloc byte[hasher.Size];
        RootFromInclusionProof(hasher, index, size, leafHash, proof, calculated);
        MatchOrThrow(root, calculated, "root");
    }

    /// <summary>Checks <paramref name="proof"/> for <paramref name="leafHash"/> against <paramref name="root"/>; see the overload taking the parts.</summary>
    /// <exception cref="InvalidProofException">The proof is malformed.</exception>
    /// <exception cref="RootMismatchException">The proof leads to a different root.</exception>
    public static void VerifyInclusion(IMerkleHasher hasher, InclusionProof proof, ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        VerifyInclusion(hasher, proof.LeafIndex, proof.TreeSize, leafHash, proof.Hashes, root);
    }

    /// <summary>
    /// Returns the root that the inclusion proof of <paramref name="leafHash"/> at <paramref name="index"/>
    /// in a tree of <paramref name="size"/> leaves leads to (RFC 9162 section 2.1.3.2 without the final
    /// comparison). Requires <c>0 &lt;= index &lt; size</c>.
    /// </summary>
    /// <exception cref="InvalidProofException">Index out of range, a hash of the wrong size, or the wrong number of proof hashes.</exception>
    public static byte[] RootFromInclusionProof(
        IMerkleHasher hasher, long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var root = new byte[hasher.Size];
        RootFromInclusionProof(hasher, index, size, leafHash, proof, root);
        return root;
    }

    /// <summary>Allocation-free form of <see cref="RootFromInclusionProof(IMerkleHasher, long, long, ReadOnlySpan{byte}, IReadOnlyList{byte[]})"/>; writes the root to <paramref name="root"/>.</summary>
    /// <exception cref="InvalidProofException">Index out of range, a hash of the wrong size, or the wrong number of proof hashes.</exception>
    /// <exception cref="ArgumentException"><paramref name="root"/> is shorter than <see cref="IMerkleHasher.Size"/>.</exception>
    public static void RootFromInclusionProof(
        IMerkleHasher hasher, long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, Span<byte> root)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(proof);
        if (root.Length < hasher.Size)
        {
            throw new ArgumentException($"The root destination must hold {hasher.Size} bytes.", nameof(root));
        }

        if (index < 0 || index >= size)
        {
            throw new InvalidProofException($"Leaf index {index} is outside the tree [0, {size}).", "index");
        }

        if (leafHash.Length != hasher.Size)
        {
            throw new InvalidProofException($"The leaf hash must be {hasher.Size} bytes, got {leafHash.Length}.", "leafHash");
        }

        CheckHashes(hasher, proof);
        var (inner, border) = Decompose(index, size);
        if (proof.Count != inner + border)
        {
            throw new InvalidProofException($"An inclusion proof for leaf {index} of {size} has {inner + border} hashes, got {proof.Count}.", "proof");
        }

        leafHash.CopyTo(root);
        var seed = root[..hasher.Size];
        ChainInner(hasher, seed, proof, 0, inner, index);
        ChainBorderRight(hasher, seed, proof, inner, border);
    }

    /// <summary>
    /// Checks that the tree of <paramref name="size1"/> leaves with root <paramref name="root1"/> is a prefix
    /// of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/> (RFC 9162 section
    /// 2.1.4.2). Requires <c>0 &lt; size1 &lt;= size2</c>; equal sizes need an empty proof and equal roots.
    /// </summary>
    /// <exception cref="InvalidProofException">Sizes out of order or zero, a hash of the wrong size, or the wrong number of proof hashes.</exception>
    /// <exception cref="RootMismatchException">The proof does not lead to <paramref name="root1"/> or <paramref name="root2"/>.</exception>
    public static void VerifyConsistency(
        IMerkleHasher hasher, long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 > size2)
        {
            throw new InvalidProofException($"size1 {size1} is greater than size2 {size2}.", "size1");
        }

        if (size1 <= 0)
        {
            // RFC 9162 section 2.1.4.1 defines proofs for 0 < first; anything is "consistent" with the empty tree.
            throw new InvalidProofException($"A consistency proof needs a non-empty first tree, got size1 {size1}.", "size1");
        }

        if (size1 == size2)
        {
            if (proof.Count != 0)
            {
                throw new InvalidProofException($"Equal sizes need an empty proof, got {proof.Count} hashes.", "proof");
            }

            MatchOrThrow(root2, root1, "root2");
            return;
        }

        if (proof.Count == 0)
        {
            throw new InvalidProofException("A consistency proof between different sizes cannot be empty.", "proof");
        }

        CheckHashes(hasher, proof);
        var size = hasher.Size;
        if (root1.Length != size)
        {
            throw new InvalidProofException($"root1 must be {size} bytes, got {root1.Length}.", "root1");
        }

        var (inner, border) = Decompose(size1 - 1, size2);
        var shift = BitOperations.TrailingZeroCount(size1);
        inner -= shift;

        // The proof starts with the largest perfect subtree ending at size1, unless that subtree is root1 itself.
        var seedIsRoot1 = size1 == 1L << shift;
        var start = seedIsRoot1 ? 0 : 1;
        if (proof.Count != start + inner + border)
        {
            throw new InvalidProofException($"A consistency proof from {size1} to {size2} has {start + inner + border} hashes, got {proof.Count}.", "proof");
        }

        var seed = seedIsRoot1 ? root1 : proof[0];
        var mask = (size1 - 1) >> shift;

        Span<byte> hash = stackalloc byte[size];
        seed.CopyTo(hash);
        ChainInnerRight(hasher, hash, proof, start, inner, mask);
        ChainBorderRight(hasher, hash, proof, start + inner, border);
        MatchOrThrow(root1, hash, "root1");

        seed.CopyTo(hash);
        ChainInner(hasher, hash, proof, start, inner, mask);
        ChainBorderRight(hasher, hash, proof, start + inner, border);
        MatchOrThrow(root2, hash, "root2");
    }

    /// <summary>Checks <paramref name="proof"/> between <paramref name="root1"/> and <paramref name="root2"/>; see the overload taking the parts.</summary>
    /// <exception cref="InvalidProofException">The proof is malformed.</exception>
    /// <exception cref="RootMismatchException">The proof does not lead to the roots.</exception>
    public static void VerifyConsistency(IMerkleHasher hasher, ConsistencyProof proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        VerifyConsistency(hasher, proof.Size1, proof.Size2, proof.Hashes, root1, root2);
    }

    // Splits the audit path of index in size into the nodes below the right border (inner) and the
    // left-hand nodes on the border itself (border); RFC 9162 section 2.1.3.2 steps, restated as bit counts.
    private static (int Inner, int Border) Decompose(long index, long size)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)(index >> inner));
        return (inner, border);
    }

    private static void ChainInner(IMerkleHasher hasher, Span<byte> seed, IReadOnlyList<byte[]> proof, int start, int count, long index)
    {
        for (var i = 0; i < count; i++)
        {
            if (((index >> i) & 1) == 0)
            {
                hasher.HashChildren(seed, proof[start + i], seed);
            }
            else
            {
                hasher.HashChildren(proof[start + i], seed, seed);
            }
        }
    }

    private static void ChainInnerRight(IMerkleHasher hasher, Span<byte> seed, IReadOnlyList<byte[]> proof, int start, int count, long index)
    {
        for (var i = 0; i < count; i++)
        {
            if (((index >> i) & 1) == 1)
            {
                hasher.HashChildren(proof[start + i], seed, seed);
            }
        }
    }

    private static void ChainBorderRight(IMerkleHasher hasher, Span<byte> seed, IReadOnlyList<byte[]> proof, int start, int count)
    {
        for (var i = 0; i < count; i++)
        {
            hasher.HashChildren(proof[start + i], seed, seed);
        }
    }

    private static void CheckHashes(IMerkleHasher hasher, IReadOnlyList<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is null || proof[i].Length != hasher.Size)
            {
                throw new InvalidProofException($"Proof hash {i} must be {hasher.Size} bytes.", $"proof[{i}]");
            }
        }
    }

    private static void MatchOrThrow(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> calculated, string field)
    {
        if (!expected.SequenceEqual(calculated))
        {
            throw new RootMismatchException(expected, calculated, field);
        }
    }
}
