using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Provenance.Core.Evidence;

/// <summary>
/// Offline ES256 checks for bundles: compact JWS verification (RFC 7515 section 5.2, ES256 per RFC 7518
/// section 3.4) and JWK thumbprints (RFC 7638). Verification only; no keys are made or held here.
/// </summary>
public static class EvidenceKeys
{
    /// <summary>Imports a P-256 public key from SubjectPublicKeyInfo PEM.</summary>
    /// <exception cref="FormatException">The PEM holds no P-256 public key.</exception>
    public static ECDsa ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var p = key.ExportParameters(false);
            if (p.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value && p.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
            {
                throw new FormatException("The key is not on curve P-256.");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("The PEM does not hold a P-256 public key.", e);
        }
    }

    /// <summary>The public JWK (RFC 7517) of a P-256 key, with its RFC 7638 thumbprint as <c>kid</c>.</summary>
    public static string ToJwk(ECDsa key)
    {
        var (x, y) = Coordinates(key);
        return $"{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{x}\",\"y\":\"{y}\",\"kid\":\"{Thumbprint(key)}\"}}";
    }

    /// <summary>RFC 7638 thumbprint of a P-256 key: base64url SHA-256 of <c>{"crv","kty","x","y"}</c> in that order.</summary>
    public static string Thumbprint(ECDsa key)
    {
        var (x, y) = Coordinates(key);
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Verifies an ES256 compact JWS whose payload is <paramref name="payload"/> (attached, or detached with an
    /// empty payload segment) and returns its <c>kid</c> header.
    /// </summary>
    /// <exception cref="JwsException">Malformed, not ES256, an attached payload that differs, or a bad signature.</exception>
    public static string? VerifyJws(string jws, ReadOnlySpan<byte> payload, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(key);
        var parts = jws.Trim().Split('.');
        if (parts.Length != 3)
        {
            throw new JwsException("The JWS is not in compact form (three dot-separated parts).");
        }

        string? kid;
        byte[] signature;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.ValueKind != JsonValueKind.Object
                || !header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != Labels.Es256)
            {
                throw new JwsException("The JWS header does not name alg ES256.");
            }

            kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (parts[1].Length != 0 && !Base64Url.DecodeFromChars(parts[1]).AsSpan().SequenceEqual(payload))
            {
                throw new JwsException("The JWS carries a different payload.");
            }

            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new JwsException("The JWS is not valid base64url JSON.", e);
        }

        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + (parts[1].Length != 0 ? parts[1] : Base64Url.EncodeToString(payload)));
        if (signature.Length != 64 || !key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new JwsException("The ES256 signature does not verify with the included key.");
        }

        return kid;
    }

    private static (string X, string Y) Coordinates(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return (Base64Url.EncodeToString(p.Q.X), Base64Url.EncodeToString(p.Q.Y));
    }
}

/// <summary>A JWS that is malformed or does not verify.</summary>
public sealed class JwsException(string message, Exception? inner = null)
    : ProvenanceException("invalid-signature", message, null, inner);
