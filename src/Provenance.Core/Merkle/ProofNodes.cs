namespace Provenance.Core.Merkle;

/// <summary>
/// The stored nodes a proof needs and how to fold them into the proof's hashes (the shape of
/// transparency-dev/merkle <c>proof.Nodes</c>). <see cref="Ids"/> are all perfect subtrees, so a store
/// that keeps every perfect-subtree node can fetch them in one query. The half-open slice
/// <c>[EphemeralBegin, EphemeralEnd)</c> of <see cref="Ids"/>, when not empty, lists the perfect subtrees
/// of the tree's right edge ordered from the lowest level up; <see cref="Rehash"/> folds them into the one
/// ephemeral (not perfect, so never stored) node <see cref="Ephemeral"/> that the proof carries instead.
/// </summary>
public sealed class ProofNodes
{
    private readonly NodeId[] _ids;

    internal ProofNodes(NodeId[] ids, int ephemeralBegin, int ephemeralEnd, NodeId? ephemeral)
    {
        _ids = ids;
        EphemeralBegin = ephemeralBegin;
        EphemeralEnd = ephemeralEnd;
        Ephemeral = ephemeral;
    }

    /// <summary>The perfect-subtree nodes to fetch, in the order <see cref="Rehash"/> expects their hashes.</summary>
    public IReadOnlyList<NodeId> Ids => _ids;

    /// <summary>Start (inclusive) of the slice of <see cref="Ids"/> folded into the ephemeral node.</summary>
    public int EphemeralBegin { get; }

    /// <summary>End (exclusive) of the slice of <see cref="Ids"/> folded into the ephemeral node; equals <see cref="EphemeralBegin"/> when there is none.</summary>
    public int EphemeralEnd { get; }

    /// <summary>Position of the ephemeral node in the RFC 9162 tree, or <see langword="null"/> when the proof needs none.</summary>
    public NodeId? Ephemeral { get; }

    /// <summary>Number of hashes in the proof that <see cref="Rehash"/> produces.</summary>
    public int ProofLength => EphemeralEnd > EphemeralBegin
        ? _ids.Length - (EphemeralEnd - EphemeralBegin) + 1
        : _ids.Length;

    /// <summary>
    /// Turns the hashes of <see cref="Ids"/> (same order, one per id) into the proof's hashes, folding the
    /// ephemeral slice right to left: <c>h = HashChildren(hashes[i], h)</c> for i rising from
    /// <see cref="EphemeralBegin"/> + 1. Does not modify <paramref name="hashes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The count differs from <see cref="Ids"/>, or a hash is null or of the wrong size.</exception>
    public byte[][] Rehash(IMerkleHasher hasher, IReadOnlyList<byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count != _ids.Length)
        {
            throw new ArgumentException($"Expected {_ids.Length} node hashes, got {hashes.Count}.", nameof(hashes));
        }

        for (var i = 0; i < hashes.Count; i++)
        {
            if (hashes[i] is null || hashes[i].Length != hasher.Size)
            {
                throw new ArgumentException($"The hash of node {_ids[i]} must be {hasher.Size} bytes.", nameof(hashes));
            }
        }

        var proof = new byte[ProofLength][];
        var cursor = 0;
        for (var i = 0; i < _ids.Length; i++)
        {
            if (i == EphemeralBegin && EphemeralEnd > EphemeralBegin)
            {
                var folded = (byte[])hashes[i].Clone();
                for (i++; i < EphemeralEnd; i++)
                {
                    hasher.HashChildren(hashes[i], folded, folded);
                }

                i--;
                proof[cursor++] = folded;
                continue;
            }

            proof[cursor++] = (byte[])hashes[i].Clone();
        }

        return proof;
    }

    internal ProofNodes SkipFirst()
    {
        var hasEphemeral = EphemeralEnd > EphemeralBegin;
        return new ProofNodes(
            _ids[1..],
            hasEphemeral ? EphemeralBegin - 1 : 0,
            hasEphemeral ? EphemeralEnd - 1 : 0,
            Ephemeral);
    }
}
