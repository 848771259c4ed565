using System.Security.Cryptography;

namespace Provenance.Storage.Postgres.Log;

/// <summary>
/// The compact range of a log prefix [0, size): the roots of its perfect subtrees, largest first (one per set bit of
/// size). Appending a leaf merges equal-sized subtrees; every merge completes a perfect-subtree node, which the
/// sequencer stores. Hashing per RFC 9162 §2.1.1: leaf = SHA-256(0x00 ‖ input), node = SHA-256(0x01 ‖ left ‖ right).
/// </summary>
internal sealed class CompactRange
{
    internal const byte LeafHashPrefix = 0x00;
    internal const byte NodeHashPrefix = 0x01;

    private readonly List<byte[]> hashes;

    /// <summary>Requires <paramref name="hashes"/> to hold exactly one hash per set bit of <paramref name="size"/>.</summary>
    /// <exception cref="InvalidDataException">The stored range does not match the size.</exception>
    public CompactRange(long size, IEnumerable<byte[]> hashes)
    {
        Size = size;
        this.hashes = [.. hashes];
        if (this.hashes.Count != long.PopCount(size))
        {
            throw new InvalidDataException($"compact range of size {size} needs {long.PopCount(size)} hashes, found {this.hashes.Count}");
        }
    }

    public long Size { get; private set; }

    public IReadOnlyList<byte[]> Hashes => hashes;

    /// <summary>Appends one leaf; reports every completed perfect-subtree node (level 0 = the leaf hash itself).</summary>
    public void Append(byte[] leafInput, Action<int, long, byte[]> onNode)
    {
        var hash = LeafHash(leafInput);
        var index = Size;
        var level = 0;
        onNode(level, index, hash);
        while ((index & 1) == 1)
        {
            hash = NodeHash(hashes[^1], hash);
            hashes.RemoveAt(hashes.Count - 1);
            index >>= 1;
            level++;
            onNode(level, index, hash);
        }

        hashes.Add(hash);
        Size++;
    }

    /// <summary>The RFC 9162 root of [0, size); SHA-256 of the empty string when empty.</summary>
    public byte[] Root()
    {
        if (hashes.Count == 0)
        {
            return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        }

        var root = hashes[^1];
        for (var i = hashes.Count - 2; i >= 0; i--)
        {
            root = NodeHash(hashes[i], root);
        }

        return root;
    }

    public static byte[] LeafHash(ReadOnlySpan<byte> input)
    {
        var buffer = new byte[input.Length + 1];
        buffer[0] = LeafHashPrefix;
        input.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + left.Length + right.Length];
        buffer[0] = NodeHashPrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + left.Length)..]);
        return SHA256.HashData(buffer);
    }
}
