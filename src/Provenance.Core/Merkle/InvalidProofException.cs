namespace Provenance.Core.Merkle;

/// <summary>
/// A Merkle proof or proof request is malformed: wrong number of hashes, a hash of the wrong size,
/// an index outside <c>[0, size)</c>, <c>size1 &gt; size2</c>, a consistency proof from the empty tree.
/// </summary>
public sealed class InvalidProofException : ProvenanceException
{
    /// <summary>Stable error code.</summary>
    public const string ErrorCode = "merkle-invalid-proof";

    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong, in one sentence.</param>
    /// <param name="field">The offending input, e.g. <c>index</c> or <c>proof[2]</c>.</param>
    public InvalidProofException(string message, string? field = null)
        : base(ErrorCode, message, field)
    {
    }
}
