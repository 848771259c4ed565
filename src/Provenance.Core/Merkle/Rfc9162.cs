namespace Provenance.Core.Merkle;

/// <summary>
/// Constants of the Merkle tree hash of RFC 9162 section 2.1.1 (identical to RFC 6962 section 2.1):
/// <c>MTH({d(0)}) = HASH(0x00 || d(0))</c>, <c>MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))</c>,
/// <c>MTH({}) = HASH()</c>. See https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1.
/// </summary>
public static class Rfc9162
{
    /// <summary>Domain-separation prefix hashed before a leaf's data (RFC 9162 section 2.1.1).</summary>
    public const byte LeafHashPrefix = 0x00;

    /// <summary>Domain-separation prefix hashed before two child hashes (RFC 9162 section 2.1.1).</summary>
    public const byte NodeHashPrefix = 0x01;

    /// <summary>Size in bytes of a SHA-256 tree hash.</summary>
    public const int Sha256HashSize = 32;
}
