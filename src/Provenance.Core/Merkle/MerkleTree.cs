using System.Buffers;

namespace Provenance.Core.Merkle;

/// <summary>The Merkle tree hash <c>MTH(D[n])</c> of RFC 9162 section 2.1.1 over leaf hashes.</summary>
public static class MerkleTree
{
    /// <summary>
    /// Returns the root of the tree whose leaf hashes are <paramref name="leafHashes"/>, in order;
    /// the empty list gives <see cref="IMerkleHasher.EmptyRoot"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A leaf hash is null or not <see cref="IMerkleHasher.Size"/> bytes.</exception>
    public static byte[] ComputeRoot(IMerkleHasher hasher, IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(leafHashes);
        return ComputeRoot(hasher, leafHashes, 0, leafHashes.Count);
    }

    /// <summary>
    /// Returns <c>MTH(D[begin:end])</c>, the root of the subtree over the half-open range
    /// <c>[begin, end)</c> of <paramref name="leafHashes"/>. Requires <c>0 &lt;= begin &lt;= end &lt;= Count</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A leaf hash is null or not <see cref="IMerkleHasher.Size"/> bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the list.</exception>
    public static byte[] ComputeRoot(IMerkleHasher hasher, IReadOnlyList<byte[]> leafHashes, int begin, int end)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(begin, end);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, leafHashes.Count);

        var size = hasher.Size;
        var count = end - begin;
        var result = new byte[size];
        if (count == 1)
        {
            CheckLength(leafHashes[begin], size, begin);
            leafHashes[begin].CopyTo(result, 0);
            return result;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(count, 1) * size);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var leaf = leafHashes[begin + i];
                CheckLength(leaf, size, begin + i);
                leaf.CopyTo(buffer, i * size);
            }

            ComputeRootInPlace(hasher, buffer.AsSpan(0, count * size), result);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Computes the root of the leaf hashes packed back to back in <paramref name="hashes"/>
    /// (each <see cref="IMerkleHasher.Size"/> bytes) into <paramref name="root"/>, overwriting
    /// <paramref name="hashes"/> as scratch space. Iterative and allocation-free: each level is paired
    /// left to right in place and an unpaired last node is carried up, which is exactly the RFC 9162
    /// split at the largest power of two below n.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer length is not a multiple of the hash size, or <paramref name="root"/> is too short.</exception>
    public static void ComputeRootInPlace(IMerkleHasher hasher, Span<byte> hashes, Span<byte> root)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var size = hasher.Size;
        if (hashes.Length % size != 0)
        {
            throw new ArgumentException($"The buffer must hold whole {size}-byte hashes.", nameof(hashes));
        }

        if (root.Length < size)
        {
            throw new ArgumentException($"The root destination must hold {size} bytes.", nameof(root));
        }

        var count = hashes.Length / size;
        if (count == 0)
        {
            hasher.EmptyRoot(root);
            return;
        }

        while (count > 1)
        {
            var pairs = count / 2;
            for (var i = 0; i < pairs; i++)
            {
                var left = hashes.Slice(2 * i * size, size);
                var right = hashes.Slice((2 * i + 1) * size, size);
                hasher.HashChildren(left, right, hashes.Slice(i * size, size));
            }

            if ((count & 1) == 1)
            {
                hashes.Slice((count - 1) * size, size).CopyTo(hashes.Slice(pairs * size, size));
            }

            count = pairs + (count & 1);
        }

        hashes[..size].CopyTo(root);
    }

    private static void CheckLength(byte[]? hash, int size, int index)
    {
        if (hash is null || hash.Length != size)
        {
            throw new ArgumentException($"Leaf hash {index} must be {size} bytes.", "leafHashes");
        }
    }
}
