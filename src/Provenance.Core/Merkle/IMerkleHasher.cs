namespace Provenance.Core.Merkle;

/// <summary>
/// The hash function of a Merkle tree (RFC 9162 section 2.1.1). Implementations are stateless and
/// thread-safe; every method writes exactly <see cref="Size"/> bytes to <c>destination</c>.
/// Proof, root and appender code take the hasher as a parameter rather than hiding it.
/// </summary>
public interface IMerkleHasher
{
    /// <summary>Size in bytes of every hash this hasher produces.</summary>
    int Size { get; }

    /// <summary>Writes the root of the empty tree, <c>HASH()</c>, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    void EmptyRoot(Span<byte> destination);

    /// <summary>Writes the leaf hash <c>HASH(0x00 || leaf)</c> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination);

    /// <summary>
    /// Writes the interior node hash <c>HASH(0x01 || left || right)</c> to <paramref name="destination"/>.
    /// <paramref name="destination"/> may overlap either input.
    /// </summary>
    /// <exception cref="ArgumentException">A child is not <see cref="Size"/> bytes, or <paramref name="destination"/> is too short.</exception>
    void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination);
}

/// <summary>Allocating conveniences over <see cref="IMerkleHasher"/> for code off the hot path.</summary>
public static class MerkleHasherExtensions
{
    /// <summary>Returns <c>HASH()</c>, the root of the empty tree.</summary>
    public static byte[] EmptyRoot(this IMerkleHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var result = new byte[hasher.Size];
        hasher.EmptyRoot(result);
        return result;
    }

    /// <summary>Returns the leaf hash <c>HASH(0x00 || leaf)</c>.</summary>
    public static byte[] HashLeaf(this IMerkleHasher hasher, ReadOnlySpan<byte> leaf)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var result = new byte[hasher.Size];
        hasher.HashLeaf(leaf, result);
        return result;
    }

    /// <summary>Returns the node hash <c>HASH(0x01 || left || right)</c>.</summary>
    public static byte[] HashChildren(this IMerkleHasher hasher, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var result = new byte[hasher.Size];
        hasher.HashChildren(left, right, result);
        return result;
    }
}
