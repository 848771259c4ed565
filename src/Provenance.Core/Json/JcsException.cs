namespace Provenance.Core.Json;

/// <summary>Why a document cannot be canonicalised with RFC 8785.</summary>
public enum JcsError
{
    /// <summary>Not a single well-formed JSON value (RFC 8259). Code <c>jcs-invalid-json</c>.</summary>
    InvalidJson,
    /// <summary>A number is NaN, infinite, or overflows an IEEE 754 double (RFC 8785 section 3.2.2.3). Code <c>jcs-non-finite-number</c>.</summary>
    NonFiniteNumber,
    /// <summary>An object names the same property twice (RFC 8785 section 3.1, I-JSON). Code <c>jcs-duplicate-property</c>.</summary>
    DuplicateProperty,
    /// <summary>Invalid UTF-8 or a lone surrogate in a string (RFC 8785 section 3.2.2.2, I-JSON). Code <c>jcs-invalid-string</c>.</summary>
    InvalidString,
}

/// <summary>
/// A document breaks the I-JSON constraints that RFC 8785 (JSON Canonicalization Scheme) requires,
/// so it has no canonical form. <see cref="ProvenanceException.Code"/> is one of <c>jcs-invalid-json</c>,
/// <c>jcs-non-finite-number</c>, <c>jcs-duplicate-property</c>, <c>jcs-invalid-string</c>.
/// </summary>
public sealed class JcsException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="error">What is wrong.</param>
    /// <param name="message">One sentence saying where and what.</param>
    /// <param name="field">The offending property name, if known.</param>
    /// <param name="inner">The underlying parser error, if any.</param>
    public JcsException(JcsError error, string message, string? field = null, Exception? inner = null)
        : base(CodeOf(error), message, field, inner)
    {
        Error = error;
    }

    /// <summary>What is wrong.</summary>
    public JcsError Error { get; }

    private static string CodeOf(JcsError error) => error switch
    {
        JcsError.InvalidJson => "jcs-invalid-json",
        JcsError.NonFiniteNumber => "jcs-non-finite-number",
        JcsError.DuplicateProperty => "jcs-duplicate-property",
        JcsError.InvalidString => "jcs-invalid-string",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown JCS error."),
    };
}
