namespace Provenance.Core;

/// <summary>
/// Base of every domain error the product reports to callers. The HTTP layer maps it to an
/// RFC 9457 problem+json body whose <c>type</c> is <c>https://provenance.dev/problems/{Code}</c>,
/// so <see cref="Code"/> is a stable, documented identifier (kebab-case) and never a message.
/// </summary>
public class ProvenanceException : Exception
{
    /// <summary>Creates an error.</summary>
    /// <param name="code">Stable kebab-case identifier, e.g. <c>lineage-cycle</c>.</param>
    /// <param name="message">One human sentence saying what is wrong and, where possible, how to fix it.</param>
    /// <param name="field">The offending input field (JSON path such as <c>parents[1].assetId</c>), if any.</param>
    /// <param name="inner">The underlying cause, if any.</param>
    public ProvenanceException(string code, string message, string? field = null, Exception? inner = null)
        : base(message, inner)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        Field = field;
    }

    /// <summary>Stable kebab-case error identifier.</summary>
    public string Code { get; }

    /// <summary>The offending input field, or <see langword="null"/>.</summary>
    public string? Field { get; }

    /// <summary>How this error maps to an HTTP status (400 by default: the input is wrong).</summary>
    public virtual ErrorKind Kind => ErrorKind.Invalid;
}

/// <summary>Broad class of an error; the HTTP layer maps each to one status code.</summary>
public enum ErrorKind
{
    /// <summary>The input is malformed or breaks a rule (400 / 422).</summary>
    Invalid,
    /// <summary>A referenced thing does not exist or is not visible to the caller (404).</summary>
    NotFound,
    /// <summary>The request conflicts with current state: duplicate id, stale version, illegal transition (409).</summary>
    Conflict,
    /// <summary>The caller may not do this (403).</summary>
    Forbidden,
    /// <summary>A dependency (TSA, database) failed; retrying later may succeed (503).</summary>
    Unavailable,
}

/// <summary>The database behind the grains failed or is unreachable; nothing was acknowledged, and retrying later may succeed.</summary>
public sealed class StorageUnavailableException(Exception? inner = null)
    : ProvenanceException("unavailable", "The database is unavailable; try again later.", null, inner)
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Unavailable;
}
