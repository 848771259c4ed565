using Provenance.Core;

namespace Provenance.Timestamping;

/// <summary>Why obtaining or verifying an RFC 3161 time-stamp failed.</summary>
public enum TimestampFailureReason
{
    /// <summary>The TSA did not answer within its configured timeout.</summary>
    Timeout,
    /// <summary>Transport failure or a non-success HTTP status.</summary>
    HttpError,
    /// <summary>The TSA answered with a PKIStatus other than granted.</summary>
    Rejected,
    /// <summary>The reply or token is not valid DER of the expected structure.</summary>
    Malformed,
    /// <summary>The token's nonce differs from the request's.</summary>
    NonceMismatch,
    /// <summary>The token's message imprint is not the SHA-256 hash that was stamped.</summary>
    ImprintMismatch,
    /// <summary>The CMS signature does not verify over the token content.</summary>
    BadSignature,
    /// <summary>The signer certificate is absent or does not chain to a configured trust anchor.</summary>
    UntrustedSigner,
    /// <summary>The signer certificate lacks the critical id-kp-timeStamping extended key usage, or carries others.</summary>
    MissingTimestampingEku,
    /// <summary>The token's policy differs from the configured one.</summary>
    PolicyMismatch,
    /// <summary>The token's genTime is outside the signer certificate's validity period.</summary>
    GenTimeOutsideValidity,
    /// <summary>The TSA configuration (URL, trust anchors, key store) is unusable.</summary>
    Configuration,
}

/// <summary>
/// A time-stamp could not be obtained or did not verify. Transport and TSA-side failures
/// (<see cref="TimestampFailureReason.Timeout"/>, <see cref="TimestampFailureReason.HttpError"/>,
/// <see cref="TimestampFailureReason.Rejected"/>) are <see cref="ErrorKind.Unavailable"/> and worth retrying;
/// every other reason means the token must not be trusted.
/// </summary>
public sealed class TimestampException : ProvenanceException
{
    /// <summary>Creates an error.</summary>
    /// <param name="reason">What failed.</param>
    /// <param name="message">One human sentence.</param>
    /// <param name="inner">The underlying cause, if any.</param>
    public TimestampException(TimestampFailureReason reason, string message, Exception? inner = null)
        : base(CodeOf(reason), message, field: null, inner)
    {
        Reason = reason;
    }

    /// <summary>What failed.</summary>
    public TimestampFailureReason Reason { get; }

    /// <summary>The TSA's PKIStatus, for <see cref="TimestampFailureReason.Rejected"/>.</summary>
    public PkiStatus? Status { get; init; }

    /// <summary>The TSA's PKIFailureInfo bits, for <see cref="TimestampFailureReason.Rejected"/>.</summary>
    public PkiFailureInfo FailureInfo { get; init; }

    /// <summary>The TSA's PKIFreeText, if it sent one.</summary>
    public string? StatusText { get; init; }

    /// <summary>The HTTP status code, for <see cref="TimestampFailureReason.HttpError"/> when the TSA answered.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>Configured name of the TSA involved, or <see langword="null"/> for offline verification.</summary>
    public string? Authority { get; internal set; }

    /// <inheritdoc />
    public override ErrorKind Kind => Reason switch
    {
        TimestampFailureReason.Timeout or TimestampFailureReason.HttpError or TimestampFailureReason.Rejected
            or TimestampFailureReason.Configuration => ErrorKind.Unavailable,
        _ => ErrorKind.Invalid,
    };

    private static string CodeOf(TimestampFailureReason reason) => reason switch
    {
        TimestampFailureReason.Timeout => "timestamp-timeout",
        TimestampFailureReason.HttpError => "timestamp-http-error",
        TimestampFailureReason.Rejected => "timestamp-rejected",
        TimestampFailureReason.Malformed => "timestamp-malformed",
        TimestampFailureReason.NonceMismatch => "timestamp-nonce-mismatch",
        TimestampFailureReason.ImprintMismatch => "timestamp-imprint-mismatch",
        TimestampFailureReason.BadSignature => "timestamp-bad-signature",
        TimestampFailureReason.UntrustedSigner => "timestamp-untrusted-signer",
        TimestampFailureReason.MissingTimestampingEku => "timestamp-missing-timestamping-eku",
        TimestampFailureReason.PolicyMismatch => "timestamp-policy-mismatch",
        TimestampFailureReason.GenTimeOutsideValidity => "timestamp-gentime-outside-validity",
        TimestampFailureReason.Configuration => "timestamp-configuration",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
