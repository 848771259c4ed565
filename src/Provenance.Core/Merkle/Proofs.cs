namespace Provenance.Core.Merkle;

/// <summary>
/// An inclusion proof (RFC 9162 section 2.1.3) as plain data: the audit path of leaf
/// <paramref name="LeafIndex"/> in the tree of <paramref name="TreeSize"/> leaves, lowest node first.
/// Byte arrays serialise as base64.
/// </summary>
public sealed record InclusionProof(long LeafIndex, long TreeSize, byte[][] Hashes);

/// <summary>
/// A consistency proof (RFC 9162 section 2.1.4) as plain data: shows the tree of <paramref name="Size1"/>
/// leaves is a prefix of the tree of <paramref name="Size2"/> leaves. Byte arrays serialise as base64.
/// </summary>
public sealed record ConsistencyProof(long Size1, long Size2, byte[][] Hashes);
