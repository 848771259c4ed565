using System.Text;
using System.Text.Json;
using Provenance.Core.Manifests;
using Provenance.Core.Signing;
using Provenance.Core.Tests.Manifests;

namespace Provenance.Core.Tests.Signing;

public sealed class Es256JwsTests
{
    private static readonly Rfc7515Vector Vector = Rfc7515Vector.Load();
    private static readonly SigningKey Key = SigningKey.Generate();

    [Fact]
    public void Verify_Rfc7515AppendixA3_ReturnsPayload()
    {
        var key = VerificationKey.FromJwk(Vector.Jwk);

        var verified = Es256Jws.Verify(Vector.Jws, key);

        Assert.Equal(Vector.Payload, Encoding.UTF8.GetString(verified.Payload.Span));
        Assert.Null(verified.Kid);
    }

    [Fact]
    public void Verify_Rfc7515AppendixA3ViaKeyRingWithoutKid_ThrowsUnknownKey()
    {
        var ring = KeyRing.Empty.Add(VerificationKey.FromJwk(Vector.Jwk), KeyStatus.Retired);

        var error = Assert.Throws<UnknownKeyException>(() => Es256Jws.Verify(Vector.Jws, ring));

        Assert.Null(error.Kid);
    }

    [Fact]
    public void Verify_Rfc7515AppendixA3EveryCharacterChanged_AllRejectedWithTypedError()
    {
        var key = VerificationKey.FromJwk(Vector.Jwk);
        var notRejected = new List<int>();

        for (var i = 0; i < Vector.Jws.Length; i++)
        {
            var chars = Vector.Jws.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            if (Record.Exception(() => Es256Jws.Verify(new string(chars), key)) is not ProvenanceException)
            {
                notRejected.Add(i);
            }
        }

        Assert.Empty(notRejected);
    }

    [Fact]
    public void Sign_Rfc7515AppendixA3PrivateKey_VerifiesUnderPublicJwk()
    {
        var signer = Vector.PrivateKey();
        var payload = Encoding.UTF8.GetBytes(Vector.Payload);

        var jws = Es256Jws.Sign(payload, signer);

        var verified = Es256Jws.Verify(jws, VerificationKey.FromJwk(Vector.Jwk));
        Assert.Equal(payload, verified.Payload.ToArray());
        Assert.Equal(Vector.Thumbprint, verified.Kid);
    }

    [Fact]
    public void Sign_Payload_HeaderIsEs256WithKidAndTyp()
    {
        var jws = Es256Jws.Sign("{}"u8, Key);

        var header = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[0]));
        Assert.Equal($$"""{"alg":"ES256","kid":"{{Key.Kid}}","typ":"provenance-manifest+jws"}""", header);
        Assert.Equal(86, jws.Split('.')[2].Length);
        Assert.DoesNotContain('=', jws);
    }

    [Fact]
    public void Verify_SignedCanonicalManifest_RoundTrips()
    {
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active);
        var canonical = ManifestCodec.ToCanonicalBytes(SampleManifests.Full());

        var verified = Es256Jws.Verify(Es256Jws.Sign(canonical, ring.Active), ring);

        Assert.Equal(canonical, verified.Payload.ToArray());
        Assert.Equal(Key.Kid, verified.Kid);
        Assert.Equal(Labels.ManifestJwsType, verified.Type);
        Assert.Equal(ManifestCodec.ToCanonicalBytes(ManifestCodec.Parse(verified.Payload.Span)), canonical);
    }

    [Fact]
    public void Verify_EveryCharacterOfSignedManifestBitFlipped_AllRejectedWithTypedError()
    {
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active);
        var jws = Es256Jws.Sign(ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal()), Key);
        var notRejected = new List<int>();

        for (var i = 0; i < jws.Length; i++)
        {
            var chars = jws.ToCharArray();
            chars[i] = (char)(chars[i] ^ 0x01);
            if (Record.Exception(() => Es256Jws.Verify(new string(chars), ring)) is not ProvenanceException)
            {
                notRejected.Add(i);
            }
        }

        Assert.Empty(notRejected);
    }

    [Fact]
    public void Verify_RetiredKey_StillVerifies()
    {
        var old = SigningKey.Generate();
        var jws = Es256Jws.Sign("payload"u8, old);
        var ring = KeyRing.Empty.Add(old, KeyStatus.Active).Add(Key, KeyStatus.Active);

        var verified = Es256Jws.Verify(jws, ring);

        Assert.Equal(KeyStatus.Retired, ring.StatusOf(old.Kid));
        Assert.Equal(old.Kid, verified.Kid);
        Assert.Same(Key, ring.Active);
    }

    [Fact]
    public void Verify_RevokedKey_ThrowsRevoked()
    {
        var jws = Es256Jws.Sign("payload"u8, Key);
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active).WithStatus(Key.Kid, KeyStatus.Revoked);

        var error = Assert.Throws<RevokedKeyException>(() => Es256Jws.Verify(jws, ring));

        Assert.Equal("revoked-key", error.Code);
        Assert.Equal(Key.Kid, error.Kid);
    }

    [Fact]
    public void Verify_UnknownKid_ThrowsUnknownKey()
    {
        var jws = Es256Jws.Sign("payload"u8, SigningKey.Generate());
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active);

        var error = Assert.Throws<UnknownKeyException>(() => Es256Jws.Verify(jws, ring));

        Assert.Equal("unknown-key", error.Code);
    }

    [Fact]
    public void Verify_SameKidOtherKeySignature_ThrowsSignatureInvalid()
    {
        var other = SigningKey.Generate();
        var mine = Es256Jws.Sign("payload"u8, Key).Split('.');
        var theirs = Es256Jws.Sign("payload"u8, other).Split('.');
        var forged = $"{mine[0]}.{mine[1]}.{theirs[2]}";

        var error = Assert.Throws<SignatureInvalidException>(() => Es256Jws.Verify(forged, KeyRing.Empty.Add(Key, KeyStatus.Active)));

        Assert.Equal("signature-invalid", error.Code);
    }

    [Theory]
    [InlineData("""{"alg":"none","kid":"K"}""", "none")]
    [InlineData("""{"alg":"HS256","kid":"K"}""", "HS256")]
    [InlineData("""{"alg":"ES384","kid":"K"}""", "ES384")]
    [InlineData("""{"alg":"es256","kid":"K"}""", "es256")]
    [InlineData("""{"kid":"K"}""", null)]
    [InlineData("""{"alg":1,"kid":"K"}""", null)]
    public void Verify_AlgOtherThanEs256_ThrowsUnsupportedAlgorithm(string header, string? alg)
    {
        var parts = Es256Jws.Sign("payload"u8, Key).Split('.');
        var jws = $"{Encode(header.Replace("K", Key.Kid, StringComparison.Ordinal))}.{parts[1]}.{parts[2]}";

        var error = Assert.Throws<UnsupportedAlgorithmException>(() => Es256Jws.Verify(jws, KeyRing.Empty.Add(Key, KeyStatus.Active)));

        Assert.Equal(alg, error.Algorithm);
        Assert.Equal("unsupported-jws-algorithm", error.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData(".eyJ9.AAAA")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9=.e30.AAAA")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30=.AAAA")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e3 0.AAAA")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e31.AAAA")]
    [InlineData("W10.e30.AAAA")]
    [InlineData("bnVsbA.e30.AAAA")]
    public void Verify_BadFormat_ThrowsMalformed(string jws)
    {
        var error = Assert.Throws<MalformedJwsException>(() => Es256Jws.Verify(jws, KeyRing.Empty.Add(Key, KeyStatus.Active)));

        Assert.Equal("malformed-jws", error.Code);
    }

    [Fact]
    public void Verify_CritHeader_ThrowsMalformed()
    {
        var parts = Es256Jws.Sign("payload"u8, Key).Split('.');
        var jws = $"{Encode($$"""{"alg":"ES256","crit":["b64"],"b64":false,"kid":"{{Key.Kid}}"}""")}.{parts[1]}.{parts[2]}";

        Assert.Throws<MalformedJwsException>(() => Es256Jws.Verify(jws, KeyRing.Empty.Add(Key, KeyStatus.Active)));
    }

    [Fact]
    public void Verify_DuplicateHeaderMember_ThrowsMalformed()
    {
        var parts = Es256Jws.Sign("payload"u8, Key).Split('.');
        var jws = $"{Encode($$"""{"alg":"ES256","alg":"none","kid":"{{Key.Kid}}"}""")}.{parts[1]}.{parts[2]}";

        Assert.Throws<MalformedJwsException>(() => Es256Jws.Verify(jws, KeyRing.Empty.Add(Key, KeyStatus.Active)));
    }

    [Fact]
    public void Verify_DerEncodedSignature_ThrowsMalformed()
    {
        var jws = Es256Jws.Sign("payload"u8, Key);
        var parts = jws.Split('.');
        var p1363 = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        var der = SignatureP1363ToDer(p1363);
        var derJws = $"{parts[0]}.{parts[1]}.{System.Buffers.Text.Base64Url.EncodeToString(der)}";

        Assert.Throws<MalformedJwsException>(() => Es256Jws.Verify(derJws, KeyRing.Empty.Add(Key, KeyStatus.Active)));
    }

    [Fact]
    public void VerifyDetached_MatchingPayload_Verifies()
    {
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active);
        var payload = ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal());

        var jws = Es256Jws.SignDetached(payload, Key);

        Assert.Contains("..", jws, StringComparison.Ordinal);
        Assert.Equal(payload, Es256Jws.VerifyDetached(jws, payload, ring).Payload.ToArray());
        Assert.Throws<SignatureInvalidException>(() => Es256Jws.VerifyDetached(jws, [.. payload, (byte)' '], ring));
        Assert.Throws<MalformedJwsException>(() => Es256Jws.VerifyDetached(Es256Jws.Sign(payload, Key), payload, ring));
    }

    [Fact]
    public void Sign_EmptyPayload_RoundTrips()
    {
        var jws = Es256Jws.Sign([], Key);

        var verified = Es256Jws.Verify(jws, Key.PublicKey);

        Assert.True(verified.Payload.IsEmpty);
    }

    [Fact]
    public async Task Sign_ConcurrentCallers_AllVerify()
    {
        var ring = KeyRing.Empty.Add(Key, KeyStatus.Active);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 50).All(i =>
            {
                var payload = Encoding.UTF8.GetBytes($"{t}:{i}");
                return Es256Jws.Verify(Es256Jws.Sign(payload, Key), ring).Payload.Span.SequenceEqual(payload);
            }))));

        Assert.All(results, Assert.True);
    }

    private static string Encode(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static byte[] SignatureP1363ToDer(byte[] p1363)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(p1363.AsSpan(0, 32));
            writer.WriteIntegerUnsigned(p1363.AsSpan(32));
        }

        return writer.Encode();
    }
}
