namespace Provenance.Timestamping;

/// <summary>
/// Object identifiers and media types used by RFC 3161 time-stamping, in one place.
/// See <see href="https://www.rfc-editor.org/rfc/rfc3161"/> and <see href="https://www.rfc-editor.org/rfc/rfc5035"/>.
/// </summary>
public static class Rfc3161Labels
{
    /// <summary>Media type of a DER <c>TimeStampReq</c> (RFC 3161 section 3.4).</summary>
    public const string TimestampQueryMediaType = "application/timestamp-query";

    /// <summary>Media type of a DER <c>TimeStampResp</c> (RFC 3161 section 3.4).</summary>
    public const string TimestampReplyMediaType = "application/timestamp-reply";

    /// <summary>Pre-RFC media type some TSAs still send for a reply; accepted when reading.</summary>
    internal const string LegacyTimestampReplyMediaType = "application/timestamp-response";

    /// <summary><c>id-ct-TSTInfo</c>, the content type of a time-stamp token (RFC 3161 section 2.4.2).</summary>
    public const string TstInfoContentType = "1.2.840.113549.1.9.16.1.4";

    /// <summary><c>id-kp-timeStamping</c>, the only extended key usage a TSA certificate may carry, critical (RFC 3161 section 2.3).</summary>
    public const string TimestampingEku = "1.3.6.1.5.5.7.3.8";

    /// <summary><c>id-aa-signingCertificateV2</c> signed attribute (RFC 5035 section 3).</summary>
    public const string SigningCertificateV2Attribute = "1.2.840.113549.1.9.16.2.47";

    /// <summary><c>id-sha256</c> (RFC 5754 section 2.2).</summary>
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";

    /// <summary><c>id-sha384</c> (RFC 5754 section 2.3).</summary>
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";

    /// <summary><c>id-sha512</c> (RFC 5754 section 2.4).</summary>
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    /// <summary>
    /// Default TSA policy of the built-in TSA: a UUID-derived OID (arc 2.25, ITU-T X.667), which needs no
    /// registration and is unique to this product.
    /// </summary>
    public const string BuiltInTsaPolicy = "2.25.76367773059018165311412172090833879528";
}
