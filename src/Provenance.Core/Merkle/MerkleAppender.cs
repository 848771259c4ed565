using System.Numerics;

namespace Provenance.Core.Merkle;

/// <summary>
/// Receives each perfect-subtree node that an append completes: first the new leaf (level 0), then every
/// ancestor that became complete, lowest level first. The span is only valid during the call.
/// </summary>
/// <param name="id">The node that is now complete and will never change.</param>
/// <param name="hash">Its hash (<see cref="IMerkleHasher.Size"/> bytes).</param>
public delegate void MerkleNodeVisitor(NodeId id, ReadOnlySpan<byte> hash);

/// <summary>
/// The state of a <see cref="MerkleAppender"/> as plain data: the tree size and the roots of the perfect
/// subtrees covering <c>[0, Size)</c>, largest (leftmost) first, one per set bit of <see cref="Size"/>;
/// their ids are <see cref="MerkleAppender.StateNodes"/>. Byte arrays serialise as base64.
/// </summary>
public sealed record CompactRangeState(long Size, byte[][] Hashes);

/// <summary>
/// Incremental builder of an RFC 9162 tree (a compact range over <c>[0, Size)</c>, as in transparency-dev/merkle
/// <c>compact</c>): holds only the O(log n) perfect-subtree roots, appends in O(log n) hashes without allocating,
/// and reports every node it completes so storage can persist each perfect subtree. Not thread-safe.
/// </summary>
public sealed class MerkleAppender
{
    private const int MaxLevels = 63;

    private readonly IMerkleHasher _hasher;
    private readonly int _hashSize;

    // Perfect-subtree roots packed back to back, leftmost (largest) first; _count of them are live.
    private readonly byte[] _hashes;
    private int _count;

    /// <summary>Creates an appender for the empty tree.</summary>
    public MerkleAppender(IMerkleHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        _hasher = hasher;
        _hashSize = hasher.Size;
        _hashes = new byte[(MaxLevels + 1) * _hashSize];
    }

    /// <summary>Number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// Returns the ids of the perfect subtrees whose hashes make up the state of a tree of
    /// <paramref name="size"/> leaves, in state order (largest first): one per set bit of the size.
    /// Fetch these from storage and pass their hashes to <see cref="Restore(IMerkleHasher, long, IReadOnlyList{byte[]})"/>.
    /// Requires <c>size &gt;= 0</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public static IReadOnlyList<NodeId> StateNodes(long size) => PerfectSubtrees.Cover(0, size);

    /// <summary>
    /// Resumes from a stored state: <paramref name="hashes"/> are the hashes of <see cref="StateNodes"/>
    /// of <paramref name="size"/>, in that order.
    /// </summary>
    /// <exception cref="ArgumentException">The size is negative, the hash count is not the number of set bits of the size, or a hash has the wrong length (corrupt stored state, not bad user input).</exception>
    public static MerkleAppender Restore(IMerkleHasher hasher, long size, IReadOnlyList<byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(hashes);
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A tree size cannot be negative.");
        }

        var expected = BitOperations.PopCount((ulong)size);
        if (hashes.Count != expected)
        {
            throw new ArgumentException($"A tree of size {size} has {expected} state hashes, got {hashes.Count}.", nameof(hashes));
        }

        var appender = new MerkleAppender(hasher);
        for (var i = 0; i < hashes.Count; i++)
        {
            if (hashes[i] is null || hashes[i].Length != appender._hashSize)
            {
                throw new ArgumentException($"State hash {i} must be {appender._hashSize} bytes.", nameof(hashes));
            }

            hashes[i].CopyTo(appender.Slot(i));
        }

        appender._count = hashes.Count;
        appender.Size = size;
        return appender;
    }

    /// <summary>Resumes from exported state; see <see cref="Restore(IMerkleHasher, long, IReadOnlyList{byte[]})"/>.</summary>
    /// <exception cref="ArgumentException">The state is inconsistent.</exception>
    public static MerkleAppender Restore(IMerkleHasher hasher, CompactRangeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Restore(hasher, state.Size, state.Hashes);
    }

    /// <summary>Copies the current state out, for storage.</summary>
    public CompactRangeState ExportState()
    {
        var hashes = new byte[_count][];
        for (var i = 0; i < _count; i++)
        {
            hashes[i] = Slot(i).ToArray();
        }

        return new CompactRangeState(Size, hashes);
    }

    /// <summary>
    /// Appends the leaf whose hash is <paramref name="leafHash"/> as leaf number <see cref="Size"/>, telling
    /// <paramref name="visitor"/> about the leaf node and every perfect subtree it completes. O(log n), no allocation.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="leafHash"/> is not <see cref="IMerkleHasher.Size"/> bytes.</exception>
    public void Append(ReadOnlySpan<byte> leafHash, MerkleNodeVisitor? visitor = null)
    {
        if (leafHash.Length != _hashSize)
        {
            throw new ArgumentException($"A leaf hash must be {_hashSize} bytes, got {leafHash.Length}.", nameof(leafHash));
        }

        var node = new NodeId(0, Size);
        var slot = Slot(_count);
        leafHash.CopyTo(slot);
        visitor?.Invoke(node, slot);

        // Each trailing one bit of the old size is a left sibling that the new node now completes.
        for (var bits = Size; (bits & 1) == 1; bits >>= 1)
        {
            var left = Slot(_count - 1);
            _hasher.HashChildren(left, slot, left);
            _count--;
            slot = left;
            node = node.Parent;
            visitor?.Invoke(node, slot);
        }

        _count++;
        Size++;
    }

    /// <summary>Hashes <paramref name="leaf"/> as a leaf (RFC 9162 section 2.1.1) and appends it; see <see cref="Append"/>.</summary>
    public void AppendLeaf(ReadOnlySpan<byte> leaf, MerkleNodeVisitor? visitor = null)
    {
        Span<byte> leafHash = stackalloc byte[_hashSize];
        _hasher.HashLeaf(leaf, leafHash);
        Append(leafHash, visitor);
    }

    /// <summary>Returns the RFC 9162 root of the current tree; the empty tree gives <see cref="IMerkleHasher.EmptyRoot"/>.</summary>
    public byte[] Root()
    {
        var root = new byte[_hashSize];
        Root(root);
        return root;
    }

    /// <summary>Writes the RFC 9162 root of the current tree to <paramref name="destination"/>, folding the state right to left.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void Root(Span<byte> destination)
    {
        if (destination.Length < _hashSize)
        {
            throw new ArgumentException($"The destination must hold {_hashSize} bytes.", nameof(destination));
        }

        if (_count == 0)
        {
            _hasher.EmptyRoot(destination);
            return;
        }

        var root = destination[.._hashSize];
        Slot(_count - 1).CopyTo(root);
        for (var i = _count - 2; i >= 0; i--)
        {
            _hasher.HashChildren(Slot(i), root, root);
        }
    }

    private Span<byte> Slot(int i) => _hashes.AsSpan(i * _hashSize, _hashSize);
}
