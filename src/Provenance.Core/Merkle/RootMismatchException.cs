namespace Provenance.Core.Merkle;

/// <summary>
/// A Merkle proof was well-formed but the root it leads to is not the root the caller trusts
/// (RFC 9162 sections 2.1.3.2 and 2.1.4.2). Carries both roots so the mismatch can be reported.
/// </summary>
public sealed class RootMismatchException : ProvenanceException
{
    /// <summary>Stable error code.</summary>
    public const string ErrorCode = "merkle-root-mismatch";

    /// <summary>Creates the error; the arrays are copied.</summary>
    /// <param name="expectedRoot">The root the caller supplied and trusts.</param>
    /// <param name="calculatedRoot">The root recomputed from the proof.</param>
    /// <param name="field">The input field holding the expected root, e.g. <c>root2</c>.</param>
    public RootMismatchException(ReadOnlySpan<byte> expectedRoot, ReadOnlySpan<byte> calculatedRoot, string? field = "root")
        : base(
            ErrorCode,
            $"The proof leads to root {Convert.ToBase64String(calculatedRoot)}, not the expected {Convert.ToBase64String(expectedRoot)}.",
            field)
    {
        ExpectedRoot = expectedRoot.ToArray();
        CalculatedRoot = calculatedRoot.ToArray();
    }

    /// <summary>The root the caller supplied.</summary>
    public byte[] ExpectedRoot { get; }

    /// <summary>The root recomputed from the proof.</summary>
    public byte[] CalculatedRoot { get; }
}
