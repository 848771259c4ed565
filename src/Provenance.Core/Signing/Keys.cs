using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Provenance.Core.Signing;

/// <summary>Public EC key as a JWK (RFC 7517 section 4, RFC 7518 section 6.2.1); coordinates are unpadded base64url.</summary>
/// <param name="Kty">Always <see cref="Labels.JwkKeyTypeEc"/>.</param>
/// <param name="Crv">Always <see cref="Labels.JwkCurveP256"/>.</param>
/// <param name="X">32-byte x coordinate, base64url.</param>
/// <param name="Y">32-byte y coordinate, base64url.</param>
/// <param name="Kid">Key id: the RFC 7638 thumbprint, when produced by this library.</param>
public sealed record EcPublicJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y,
    [property: JsonPropertyName("kid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kid = null);

/// <summary>
/// Public half of an ECDSA P-256 key: verifies ES256 signatures. Its <see cref="Kid"/> is derived from the key
/// itself (RFC 7638 JWK thumbprint), so the same key always has the same id. Thread-safe.
/// </summary>
public sealed class VerificationKey
{
    private readonly EcdsaP256 _key;

    internal VerificationKey(EcdsaP256 key)
    {
        _key = key;
        Kid = Rfc7638.Thumbprint(key.X, key.Y);
    }

    /// <summary>RFC 7638 SHA-256 JWK thumbprint of the public key, base64url.</summary>
    public string Kid { get; }

    /// <summary>Reads a public JWK. <c>kid</c>, if present, must equal the thumbprint.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="jwk"/> is null.</exception>
    /// <exception cref="InvalidKeyException">Not an EC P-256 key with valid 32-byte coordinates, or the kid does not match.</exception>
    public static VerificationKey FromJwk(EcPublicJwk jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        if (jwk.Kty != Labels.JwkKeyTypeEc || jwk.Crv != Labels.JwkCurveP256)
        {
            throw new InvalidKeyException($"Expected kty '{Labels.JwkKeyTypeEc}' and crv '{Labels.JwkCurveP256}', got '{jwk.Kty}' and '{jwk.Crv}'.");
        }

        var key = new VerificationKey(EcdsaP256.Import(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = DecodeCoordinate(jwk.X, "x"), Y = DecodeCoordinate(jwk.Y, "y") },
        }));
        return jwk.Kid is null || jwk.Kid == key.Kid
            ? key
            : throw new InvalidKeyException($"The JWK kid '{jwk.Kid}' is not the key's thumbprint '{key.Kid}'.");
    }

    /// <summary>Reads a <c>PUBLIC KEY</c> PEM (SubjectPublicKeyInfo, RFC 5280 section 4.1.2.7; RFC 7468).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pem"/> is null.</exception>
    /// <exception cref="InvalidKeyException">Not a P-256 public key PEM.</exception>
    public static VerificationKey FromSpkiPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(Pem.Single(pem, "PUBLIC KEY"), out _);
        }
        catch (CryptographicException e)
        {
            ecdsa.Dispose();
            throw new InvalidKeyException("The PEM is not an EC public key.", e);
        }

        return new VerificationKey(EcdsaP256.FromInstance(ecdsa, includePrivate: false));
    }

    /// <summary>The public key as a JWK with <c>kid</c>. Never throws.</summary>
    public EcPublicJwk ToJwk() => new(Labels.JwkKeyTypeEc, Labels.JwkCurveP256, Base64UrlStrict.Encode(_key.X), Base64UrlStrict.Encode(_key.Y), Kid);

    /// <summary>The public key as a <c>PUBLIC KEY</c> PEM (SubjectPublicKeyInfo). Never throws.</summary>
    public string ExportSpkiPem() => _key.ExportSpkiPem();

    /// <summary>Checks a 64-byte R||S (IEEE P1363) ES256 signature over <paramref name="data"/>. Never throws.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => _key.Verify(data, signature);

    /// <inheritdoc/>
    public override string ToString() => Kid;

    private static byte[] DecodeCoordinate(string value, string name)
    {
        byte[] bytes;
        try
        {
            bytes = Base64UrlStrict.Decode(value ?? string.Empty, $"JWK '{name}'");
        }
        catch (MalformedJwsException e)
        {
            throw new InvalidKeyException($"The JWK '{name}' is not base64url.", e);
        }

        return bytes.Length == EcdsaP256.CoordinateLength
            ? bytes
            : throw new InvalidKeyException($"The JWK '{name}' is {bytes.Length} bytes; P-256 coordinates are {EcdsaP256.CoordinateLength}.");
    }
}

/// <summary>
/// An ECDSA P-256 private key used for ES256 signing, with its <see cref="Kid"/> derived from the public key
/// (RFC 7638). Thread-safe: concurrent signers each use their own pooled <see cref="ECDsa"/> instance.
/// </summary>
public sealed class SigningKey
{
    private readonly EcdsaP256 _key;
    private string? _defaultHeader;

    private SigningKey(EcdsaP256 key)
    {
        _key = key;
        PublicKey = new VerificationKey(EcdsaP256.Import(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key.X, Y = key.Y },
        }));
    }

    /// <summary>RFC 7638 thumbprint of the public key (same as <see cref="PublicKey"/>'s).</summary>
    public string Kid => PublicKey.Kid;

    /// <summary>The public half.</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>
    /// Creates a new P-256 key. The only randomness is the operating system's cryptographic RNG, which
    /// <see cref="ECDsa"/> uses internally; nothing else is random and nothing is read from the clock.
    /// </summary>
    public static SigningKey Generate() => new(EcdsaP256.FromInstance(ECDsa.Create(ECCurve.NamedCurves.nistP256), includePrivate: true));

    /// <summary>Reads a <c>PRIVATE KEY</c> PEM (PKCS#8, RFC 5208 / RFC 5958; RFC 7468). Encrypted PEM is not supported.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pem"/> is null.</exception>
    /// <exception cref="InvalidKeyException">Not an unencrypted P-256 private key PEM.</exception>
    public static SigningKey FromPkcs8Pem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var der = Pem.Single(pem, "PRIVATE KEY");
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(der, out _);
            return new SigningKey(EcdsaP256.FromInstance(ecdsa, includePrivate: true));
        }
        catch (CryptographicException e)
        {
            ecdsa.Dispose();
            throw new InvalidKeyException("The PEM is not an unencrypted EC P-256 private key.", e);
        }
    }

    /// <summary>Imports explicit parameters (e.g. a JWK's <c>x</c>, <c>y</c>, <c>d</c>).</summary>
    /// <exception cref="InvalidKeyException">Not a valid P-256 private key (no <c>D</c>, wrong curve, point not on curve).</exception>
    public static SigningKey FromParameters(ECParameters parameters)
    {
        if (parameters.D is null)
        {
            throw new InvalidKeyException("The parameters hold no private scalar (D).");
        }

        return new SigningKey(EcdsaP256.Import(parameters));
    }

    /// <summary>The private key as an unencrypted <c>PRIVATE KEY</c> PEM (PKCS#8). Keep it secret. Never throws.</summary>
    public string ExportPkcs8Pem() => _key.ExportPkcs8Pem();

    /// <summary>The public key as a JWK with <c>kid</c>. Never throws.</summary>
    public EcPublicJwk ToPublicJwk() => PublicKey.ToJwk();

    /// <summary>The public key as a <c>PUBLIC KEY</c> PEM. Never throws.</summary>
    public string ExportSpkiPem() => PublicKey.ExportSpkiPem();

    /// <inheritdoc/>
    public override string ToString() => Kid;

    internal void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => _key.Sign(data, signature);

    /// <summary>The base64url protected header for <paramref name="type"/>; the default type's header is computed once.</summary>
    internal string EncodedHeader(string type)
    {
        if (type == Labels.ManifestJwsType)
        {
            return _defaultHeader ??= Es256Jws.EncodeHeader(Kid, type);
        }

        return Es256Jws.EncodeHeader(Kid, type);
    }
}

/// <summary>RFC 7468 textual encoding, strictly: exactly one PEM block with the expected label.</summary>
internal static class Pem
{
    /// <exception cref="InvalidKeyException">Not exactly one well-formed block labelled <paramref name="label"/>.</exception>
    public static byte[] Single(string text, string label)
    {
        if (!PemEncoding.TryFind(text, out var fields))
        {
            throw new InvalidKeyException($"Expected a '{label}' PEM block.");
        }

        var foundLabel = text.AsSpan(fields.Label);
        if (!foundLabel.SequenceEqual(label) || PemEncoding.TryFind(text.AsSpan(fields.Location.End.Value), out _))
        {
            throw new InvalidKeyException($"Expected exactly one '{label}' PEM block, found '{foundLabel}'.");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}

/// <summary>RFC 7638 JSON Web Key thumbprints.</summary>
internal static class Rfc7638
{
    /// <summary>
    /// Section 3.2: SHA-256 over the required EC members in lexicographic order, no whitespace:
    /// <c>{"crv":"P-256","kty":"EC","x":"...","y":"..."}</c>; base64url.
    /// </summary>
    public static string Thumbprint(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var json = $"{{\"crv\":\"{Labels.JwkCurveP256}\",\"kty\":\"{Labels.JwkKeyTypeEc}\",\"x\":\"{Base64UrlStrict.Encode(x)}\",\"y\":\"{Base64UrlStrict.Encode(y)}\"}}";
        return Base64UrlStrict.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }
}
