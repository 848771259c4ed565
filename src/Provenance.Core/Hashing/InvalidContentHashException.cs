namespace Provenance.Core.Hashing;

/// <summary>
/// A content hash string is not in the canonical <c>sha256:&lt;64 lowercase hex&gt;</c> form.
/// Code <c>invalid-content-hash</c>.
/// </summary>
public sealed class InvalidContentHashException : ProvenanceException
{
    /// <summary>Creates the error for <paramref name="value"/>.</summary>
    /// <param name="value">The rejected text (truncated in the message if long).</param>
    /// <param name="reason">Why it was rejected.</param>
    /// <param name="field">The offending input field, if known.</param>
    public InvalidContentHashException(string value, string reason, string? field = null)
        : base("invalid-content-hash",
            $"'{Truncate(value)}' is not a content hash ({reason}); expected 'sha256:' followed by 64 lowercase hex digits.",
            field)
    {
        Value = value;
    }

    /// <summary>The rejected text.</summary>
    public string Value { get; }

    private static string Truncate(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "...");
}
