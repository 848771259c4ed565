namespace Provenance.Core.Signing;

/// <summary>A compact JWS is not three base64url segments holding a valid protected header. Code <c>malformed-jws</c>.</summary>
public sealed class MalformedJwsException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The underlying cause, if any.</param>
    public MalformedJwsException(string message, Exception? inner = null)
        : base("malformed-jws", message, "jws", inner)
    {
    }
}

/// <summary>The JWS <c>alg</c> is not ES256, the only algorithm accepted (RFC 8725 section 3.1). Code <c>unsupported-jws-algorithm</c>.</summary>
public sealed class UnsupportedAlgorithmException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="algorithm">The <c>alg</c> found, or <see langword="null"/> if absent.</param>
    public UnsupportedAlgorithmException(string? algorithm)
        : base("unsupported-jws-algorithm", $"JWS algorithm '{algorithm ?? "(none)"}' is not accepted; only {Labels.Es256} is.", "alg")
    {
        Algorithm = algorithm;
    }

    /// <summary>The <c>alg</c> found, or <see langword="null"/>.</summary>
    public string? Algorithm { get; }
}

/// <summary>The signature does not verify under the named key. Code <c>signature-invalid</c>.</summary>
public sealed class SignatureInvalidException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="kid">Key the signature was checked against.</param>
    public SignatureInvalidException(string kid)
        : base("signature-invalid", $"The signature does not verify under key '{kid}'; the signed content or signature was altered.", "signature")
    {
        Kid = kid;
    }

    /// <summary>Key the signature was checked against.</summary>
    public string Kid { get; }
}

/// <summary>No key with this kid is known (or the JWS names none). Code <c>unknown-key</c>.</summary>
public sealed class UnknownKeyException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="kid">The kid looked up, or <see langword="null"/> if the JWS named none.</param>
    public UnknownKeyException(string? kid)
        : base("unknown-key", kid is null ? "The JWS names no key (kid)." : $"No key '{kid}' is known.", "kid")
    {
        Kid = kid;
    }

    /// <summary>The kid looked up, or <see langword="null"/>.</summary>
    public string? Kid { get; }
}

/// <summary>The key was revoked: nothing it signed verifies any more. Code <c>revoked-key</c>.</summary>
public sealed class RevokedKeyException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="kid">The revoked key.</param>
    public RevokedKeyException(string kid)
        : base("revoked-key", $"Key '{kid}' is revoked; signatures made with it are not trusted.", "kid")
    {
        Kid = kid;
    }

    /// <summary>The revoked key.</summary>
    public string Kid { get; }
}

/// <summary>The key ring has no active key, so nothing can be signed. Code <c>no-active-key</c>.</summary>
public sealed class NoActiveKeyException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    public NoActiveKeyException()
        : base("no-active-key", "No signing key is active; add or activate a key.")
    {
    }

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Unavailable;
}

/// <summary>Key material is not an ECDSA P-256 key in the expected encoding. Code <c>invalid-key</c>.</summary>
public sealed class InvalidKeyException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The underlying cause, if any.</param>
    public InvalidKeyException(string message, Exception? inner = null)
        : base("invalid-key", message, "key", inner)
    {
    }
}

/// <summary>
/// A key status change is not allowed: revocation is final, and a retired key cannot become active again.
/// Code <c>invalid-key-status-transition</c>.
/// </summary>
public sealed class KeyStatusTransitionException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="kid">The key.</param>
    /// <param name="from">Current status.</param>
    /// <param name="to">Requested status.</param>
    public KeyStatusTransitionException(string kid, KeyStatus from, KeyStatus to)
        : base("invalid-key-status-transition", $"Key '{kid}' cannot go from {from} to {to}.", "status")
    {
        Kid = kid;
        From = from;
        To = to;
    }

    /// <summary>The key.</summary>
    public string Kid { get; }

    /// <summary>Current status.</summary>
    public KeyStatus From { get; }

    /// <summary>Requested status.</summary>
    public KeyStatus To { get; }

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}
