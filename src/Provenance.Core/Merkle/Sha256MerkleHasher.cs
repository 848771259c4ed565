using System.Buffers;
using System.Security.Cryptography;

namespace Provenance.Core.Merkle;

/// <summary>
/// SHA-256 tree hashing of RFC 9162 section 2.1.1 (and RFC 6962 section 2.1). Allocation-free:
/// the prefixed input is assembled on the stack (or, for leaves over 1 KiB, in a pooled buffer).
/// </summary>
public sealed class Sha256MerkleHasher : IMerkleHasher
{
    private const int HashSize = Rfc9162.Sha256HashSize;
    private const int StackLeafLimit = 1024;

    private Sha256MerkleHasher()
    {
    }

    /// <summary>The shared, thread-safe instance.</summary>
    public static Sha256MerkleHasher Instance { get; } = new();

    /// <summary>32: the size of a SHA-256 digest.</summary>
    public int Size => HashSize;

    /// <inheritdoc/>
    public void EmptyRoot(Span<byte> destination) => SHA256.HashData(ReadOnlySpan<byte>.Empty, destination);

    /// <inheritdoc/>
    public void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (leaf.Length < StackLeafLimit)
        {
            Span<byte> input = stackalloc byte[leaf.Length + 1];
            input[0] = Rfc9162.LeafHashPrefix;
            leaf.CopyTo(input[1..]);
            SHA256.HashData(input, destination);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(leaf.Length + 1);
        try
        {
            rented[0] = Rfc9162.LeafHashPrefix;
            leaf.CopyTo(rented.AsSpan(1));
            SHA256.HashData(rented.AsSpan(0, leaf.Length + 1), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException($"Child hashes must be {HashSize} bytes, got {left.Length} and {right.Length}.");
        }

        // Copying both children first is what makes an overlapping destination safe.
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = Rfc9162.NodeHashPrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        SHA256.HashData(input, destination);
    }
}
