using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Provenance.Core.Json;

namespace Provenance.Core.Signing;

/// <summary>A JWS whose signature verified.</summary>
/// <param name="Payload">The signed bytes.</param>
/// <param name="Kid">The key that signed, as named in the header (may be null only from <see cref="Es256Jws.Verify(string, VerificationKey)"/>).</param>
/// <param name="Type">The header's <c>typ</c>, if any.</param>
public sealed record VerifiedJws(ReadOnlyMemory<byte> Payload, string? Kid, string? Type);

/// <summary>
/// ES256 (ECDSA P-256 with SHA-256, RFC 7518 section 3.4) JSON Web Signatures in compact serialisation
/// (RFC 7515 section 7.1): <c>BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(R||S)</c>, with protected
/// header <c>{"alg":"ES256","kid":...,"typ":...}</c>. Only ES256 is accepted on verification (no <c>none</c>,
/// no algorithm taken from the key), and headers with <c>crit</c> are refused (RFC 7515 section 4.1.11).
/// </summary>
public static class Es256Jws
{
    private const int EncodedSignatureLength = 86;

    /// <summary>Signs <paramref name="payload"/> (e.g. canonical manifest bytes) with <paramref name="key"/>.</summary>
    /// <param name="payload">The bytes to sign.</param>
    /// <param name="key">The signing key; its kid goes into the header.</param>
    /// <param name="type">The <c>typ</c> header; defaults to <see cref="Labels.ManifestJwsType"/>.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="type"/> is null.</exception>
    public static string Sign(ReadOnlySpan<byte> payload, SigningKey key, string type = Labels.ManifestJwsType) =>
        SignCore(payload, key, type, detached: false);

    /// <summary>
    /// Signs with a detached payload (RFC 7515 Appendix F): the result is <c>header..signature</c>; the verifier
    /// must be given the payload separately.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="type"/> is null.</exception>
    public static string SignDetached(ReadOnlySpan<byte> payload, SigningKey key, string type = Labels.ManifestJwsType) =>
        SignCore(payload, key, type, detached: true);

    /// <summary>Verifies a compact JWS against the key its <c>kid</c> names in <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="MalformedJwsException">Not three canonical base64url segments with a JSON object header, or a <c>crit</c> header.</exception>
    /// <exception cref="UnsupportedAlgorithmException"><c>alg</c> is not ES256.</exception>
    /// <exception cref="UnknownKeyException">No <c>kid</c>, or not in the ring.</exception>
    /// <exception cref="RevokedKeyException">The key is revoked.</exception>
    /// <exception cref="SignatureInvalidException">The signature does not verify.</exception>
    public static VerifiedJws Verify(string compactJws, KeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        ArgumentNullException.ThrowIfNull(keys);
        var jws = Decode(compactJws, detached: false);
        return VerifyCore(jws, keys.Resolve(jws.Header.Kid), default);
    }

    /// <summary>Verifies a detached-payload JWS (<c>header..signature</c>) over <paramref name="payload"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="MalformedJwsException">As for <see cref="Verify(string, KeyRing)"/>, or the payload segment is not empty.</exception>
    /// <exception cref="UnsupportedAlgorithmException"><c>alg</c> is not ES256.</exception>
    /// <exception cref="UnknownKeyException">No <c>kid</c>, or not in the ring.</exception>
    /// <exception cref="RevokedKeyException">The key is revoked.</exception>
    /// <exception cref="SignatureInvalidException">The signature does not verify.</exception>
    public static VerifiedJws VerifyDetached(string compactJws, ReadOnlySpan<byte> payload, KeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        ArgumentNullException.ThrowIfNull(keys);
        var jws = Decode(compactJws, detached: true);
        return VerifyCore(jws, keys.Resolve(jws.Header.Kid), payload);
    }

    /// <summary>
    /// Verifies a compact JWS against one given key, e.g. a published key or a test vector without <c>kid</c>.
    /// If the header names a <c>kid</c>, it must be <paramref name="key"/>'s.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="MalformedJwsException">As for <see cref="Verify(string, KeyRing)"/>.</exception>
    /// <exception cref="UnsupportedAlgorithmException"><c>alg</c> is not ES256.</exception>
    /// <exception cref="UnknownKeyException">The header names a different kid.</exception>
    /// <exception cref="SignatureInvalidException">The signature does not verify.</exception>
    public static VerifiedJws Verify(string compactJws, VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        ArgumentNullException.ThrowIfNull(key);
        var jws = Decode(compactJws, detached: false);
        if (jws.Header.Kid is not null && jws.Header.Kid != key.Kid)
        {
            throw new UnknownKeyException(jws.Header.Kid);
        }

        return VerifyCore(jws, key, default);
    }

    internal static string EncodeHeader(string kid, string type)
    {
        using var buffer = new PooledByteBuffer(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, Labels.Es256);
            writer.WriteString("kid"u8, kid);
            writer.WriteString("typ"u8, type);
            writer.WriteEndObject();
        }

        // Utf8JsonWriter escapes '+' in the typ; the RFC 8785 form keeps the header readable and deterministic.
        return Base64UrlStrict.Encode(Jcs.Canonicalize(buffer.WrittenSpan));
    }

    private static string SignCore(ReadOnlySpan<byte> payload, SigningKey key, string type, bool detached)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(type);
        var header = key.EncodedHeader(type);
        var payloadLength = Base64Url.GetEncodedLength(payload.Length);
        var total = header.Length + 1 + payloadLength + 1 + EncodedSignatureLength;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var at = Encoding.ASCII.GetBytes(header, buffer);
            buffer[at++] = (byte)'.';
            at += Base64Url.EncodeToUtf8(payload, buffer.AsSpan(at));
            Span<byte> signature = stackalloc byte[EcdsaP256.SignatureLength];
            key.Sign(buffer.AsSpan(0, at), signature);

            if (detached)
            {
                at = header.Length + 1;
            }

            buffer[at++] = (byte)'.';
            at += Base64Url.EncodeToUtf8(signature, buffer.AsSpan(at));
            return Encoding.ASCII.GetString(buffer, 0, at);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks everything that needs no key: segments, base64url, header, signature length. Format errors come before key errors.</summary>
    private static DecodedJws Decode(string compactJws, bool detached)
    {
        var parts = Split(compactJws, detached);
        var header = ReadHeader(compactJws.AsSpan(parts.Header));
        var signature = Base64UrlStrict.Decode(compactJws.AsSpan(parts.Signature), "JWS signature");
        if (signature.Length != EcdsaP256.SignatureLength)
        {
            throw new MalformedJwsException($"An ES256 signature is {EcdsaP256.SignatureLength} bytes (R||S, RFC 7518 section 3.4); got {signature.Length}.");
        }

        var payload = detached ? null : Base64UrlStrict.Decode(compactJws.AsSpan(parts.Payload), "JWS payload");
        return new DecodedJws(compactJws, parts, header, signature, payload);
    }

    private static VerifiedJws VerifyCore(DecodedJws jws, VerificationKey key, ReadOnlySpan<byte> detachedPayload)
    {
        byte[] payload;
        byte[] signingInput;
        if (jws.Payload is not null)
        {
            payload = jws.Payload;
            signingInput = Encoding.ASCII.GetBytes(jws.Text, 0, jws.Parts.Payload.End.Value);
        }
        else
        {
            payload = detachedPayload.ToArray();
            var headerLength = jws.Parts.Header.End.Value;
            signingInput = new byte[headerLength + 1 + Base64Url.GetEncodedLength(payload.Length)];
            Encoding.ASCII.GetBytes(jws.Text, 0, headerLength, signingInput, 0);
            signingInput[headerLength] = (byte)'.';
            Base64Url.EncodeToUtf8(payload, signingInput.AsSpan(headerLength + 1));
        }

        if (!key.Verify(signingInput, jws.Signature))
        {
            throw new SignatureInvalidException(key.Kid);
        }

        return new VerifiedJws(payload, jws.Header.Kid, jws.Header.Type);
    }

    private sealed record DecodedJws(string Text, Parts Parts, Header Header, byte[] Signature, byte[]? Payload);

    private readonly record struct Parts(Range Header, Range Payload, Range Signature);

    private readonly record struct Header(string? Kid, string? Type);

    private static Parts Split(string compactJws, bool detached)
    {
        var first = compactJws.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : compactJws.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || compactJws.IndexOf('.', second + 1) >= 0 || second == compactJws.Length - 1)
        {
            throw new MalformedJwsException("A compact JWS is three base64url segments separated by '.'.");
        }

        if (detached && second != first + 1)
        {
            throw new MalformedJwsException("A detached-payload JWS has an empty payload segment.");
        }

        return new Parts(..first, (first + 1)..second, (second + 1)..);
    }

    private static Header ReadHeader(ReadOnlySpan<char> encoded)
    {
        var json = Base64UrlStrict.Decode(encoded, "JWS protected header");
        try
        {
            Jcs.Canonicalize(json);
        }
        catch (JcsException e)
        {
            throw new MalformedJwsException("The JWS protected header is not valid I-JSON.", e);
        }

        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MalformedJwsException("The JWS protected header is not a JSON object.");
        }

        string? alg = null, kid = null, typ = null;
        var algSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "alg":
                    algSeen = true;
                    alg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "kid":
                    kid = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new MalformedJwsException("The JWS 'kid' is not a string.");
                    break;
                case "typ":
                    typ = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new MalformedJwsException("The JWS 'typ' is not a string.");
                    break;
                case "crit":
                    throw new MalformedJwsException("The JWS names critical extensions ('crit'), which this verifier does not implement.");
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!algSeen || alg != Labels.Es256)
        {
            throw new UnsupportedAlgorithmException(alg);
        }

        return new Header(kid, typ);
    }
}
