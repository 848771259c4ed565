namespace Provenance.Core;

/// <summary>
/// Every spec label, identifier and media type the product writes, in one place, each with the
/// specification that defines it.
/// </summary>
public static class Labels
{
    /// <summary>
    /// Prefix of a content hash: <c>sha256:</c> followed by the 64 lowercase hex digits of the SHA-256
    /// (FIPS 180-4) digest of the exact bytes.
    /// </summary>
    public const string ContentHashPrefix = "sha256:";

    /// <summary>The <c>schemaVersion</c> of a version-1 manifest; the only one this build reads or writes.</summary>
    public const string ManifestSchemaV1 = "provenance.manifest/v1";

    /// <summary>Media type of a canonical (RFC 8785) manifest document.</summary>
    public const string ManifestMediaType = "application/vnd.provenance.manifest.v1+json";

    /// <summary>
    /// JWS <c>typ</c> header of a signed manifest (RFC 7515 section 4.1.9; the <c>application/</c>
    /// prefix is omitted as that section recommends). Full media type: <see cref="ManifestJwsMediaType"/>.
    /// </summary>
    public const string ManifestJwsType = "provenance-manifest+jws";

    /// <summary>Media type of a compact-serialised signed manifest (RFC 7515 section 7.1).</summary>
    public const string ManifestJwsMediaType = "application/provenance-manifest+jws";

    /// <summary>JWS <c>alg</c> for ECDSA P-256 with SHA-256 (RFC 7518 section 3.4).</summary>
    public const string Es256 = "ES256";

    /// <summary>JWK <c>kty</c> for elliptic-curve keys (RFC 7518 section 6.2).</summary>
    public const string JwkKeyTypeEc = "EC";

    /// <summary>JWK <c>crv</c> for NIST P-256 (RFC 7518 section 6.2.1.1).</summary>
    public const string JwkCurveP256 = "P-256";

    /// <summary>
    /// JWS <c>typ</c> header of a signed epoch checkpoint (RFC 7515 section 4.1.9, <c>application/</c> prefix omitted).
    /// The payload is the checkpoint text of docs/epochs.md.
    /// </summary>
    public const string CheckpointJwsType = "provenance-checkpoint+jws";

    /// <summary>
    /// Prefix of a log's origin line (first line of a checkpoint, as in C2SP signed notes / tlog-checkpoint):
    /// <c>provenance.dev/log/&lt;logId&gt;</c>.
    /// </summary>
    public const string CheckpointOriginPrefix = "provenance.dev/log/";
}
