using System.Text.Json;
using Provenance.Core.Signing;

namespace Provenance.Core.Evidence;

/// <summary>
/// The key and signature steps of bundle verification, over <see cref="Es256Jws"/> and <see cref="VerificationKey"/>:
/// reading a bundle's PEM key, its JWK form, and verifying a compact JWS over given bytes whether the payload
/// is attached or detached (RFC 7515 Appendix F).
/// </summary>
public static class EvidenceKeys
{
    /// <summary>Reads a P-256 <c>PUBLIC KEY</c> PEM.</summary>
    /// <exception cref="InvalidKeyException">Not a P-256 public key PEM.</exception>
    public static VerificationKey ImportPem(string pem) => VerificationKey.FromSpkiPem(pem);

    /// <summary>The public JWK (RFC 7517) with its RFC 7638 thumbprint as <c>kid</c>, as JSON.</summary>
    public static string ToJwk(VerificationKey key) => JsonSerializer.Serialize(key.ToJwk());

    /// <summary>
    /// Verifies an ES256 compact JWS whose payload must be <paramref name="payload"/>, with <paramref name="key"/>;
    /// a <c>kid</c> in the header must be the key's RFC 7638 thumbprint. Returns the verified header facts.
    /// </summary>
    /// <exception cref="ProvenanceException">Malformed, not ES256, a different kid, a different attached payload, or a bad signature
    /// (<see cref="MalformedJwsException"/>, <see cref="UnsupportedAlgorithmException"/>, <see cref="UnknownKeyException"/>, <see cref="SignatureInvalidException"/>).</exception>
    public static VerifiedJws VerifyJws(string jws, ReadOnlySpan<byte> payload, VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(key);
        var compact = jws.Trim();
        var parts = compact.Split('.');
        if (parts.Length == 3 && parts[1].Length == 0)
        {
            return Es256Jws.VerifyDetached(compact, payload, KeyRing.Empty.Add(key, KeyStatus.Retired));
        }

        var verified = Es256Jws.Verify(compact, key);
        if (!verified.Payload.Span.SequenceEqual(payload))
        {
            throw new ProvenanceException("jws-payload-mismatch", "The JWS carries different bytes than the file it is paired with.", "payload");
        }

        return verified;
    }
}
