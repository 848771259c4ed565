using System.Security.Cryptography;
using Provenance.Core.Signing;

namespace Provenance.Core.Tests.Signing;

public sealed class KeysTests
{
    private static readonly Rfc7515Vector Vector = Rfc7515Vector.Load();

    [Fact]
    public void Kid_Rfc7515A3Key_IsRfc7638Thumbprint()
    {
        var key = Vector.PrivateKey();

        var kid = key.Kid;

        Assert.Equal(Vector.Thumbprint, kid);
        Assert.Equal(Vector.Thumbprint, VerificationKey.FromJwk(Vector.Jwk).Kid);
    }

    [Fact]
    public void ToPublicJwk_Rfc7515A3Key_MatchesTypedInCoordinates()
    {
        var key = Vector.PrivateKey();

        var jwk = key.ToPublicJwk();

        Assert.Equal(Vector.Jwk with { Kid = Vector.Thumbprint }, jwk);
    }

    [Fact]
    public void ExportPkcs8Pem_ThenImport_SameKidAndSignsVerifiably()
    {
        var key = SigningKey.Generate();

        var pem = key.ExportPkcs8Pem();
        var imported = SigningKey.FromPkcs8Pem(pem);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(key.Kid, imported.Kid);
        Assert.Equal("x"u8.ToArray(), Es256Jws.Verify(Es256Jws.Sign("x"u8, imported), key.PublicKey).Payload.ToArray());
    }

    [Fact]
    public void ExportSpkiPem_ThenImport_SameKid()
    {
        var key = SigningKey.Generate();

        var pem = key.ExportSpkiPem();
        var imported = VerificationKey.FromSpkiPem(pem);

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(key.Kid, imported.Kid);
    }

    [Fact]
    public void Generate_TwoKeys_DifferentKids()
    {
        var a = SigningKey.Generate();
        var b = SigningKey.Generate();

        Assert.NotEqual(a.Kid, b.Kid);
        Assert.Equal(43, a.Kid.Length);
    }

    [Fact]
    public void FromPkcs8Pem_P384Key_ThrowsInvalidKey()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = p384.ExportPkcs8PrivateKeyPem();

        var error = Assert.Throws<InvalidKeyException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal("invalid-key", error.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")]
    public void FromPkcs8Pem_Garbage_ThrowsInvalidKey(string pem)
    {
        Assert.Throws<InvalidKeyException>(() => SigningKey.FromPkcs8Pem(pem));
    }

    [Fact]
    public void FromPkcs8Pem_RsaKey_ThrowsInvalidKey()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        Assert.Throws<InvalidKeyException>(() => SigningKey.FromPkcs8Pem(pem));
    }

    [Fact]
    public void FromSpkiPem_PrivateKeyPem_ThrowsInvalidKey()
    {
        var pem = SigningKey.Generate().ExportPkcs8Pem();

        Assert.Throws<InvalidKeyException>(() => VerificationKey.FromSpkiPem(pem));
    }

    [Fact]
    public void FromPkcs8Pem_PublicKeyPem_ThrowsInvalidKey()
    {
        var pem = SigningKey.Generate().ExportSpkiPem();

        Assert.Throws<InvalidKeyException>(() => SigningKey.FromPkcs8Pem(pem));
    }

    [Fact]
    public void FromPkcs8Pem_TwoBlocks_ThrowsInvalidKey()
    {
        var pem = SigningKey.Generate().ExportPkcs8Pem() + "\n" + SigningKey.Generate().ExportPkcs8Pem();

        Assert.Throws<InvalidKeyException>(() => SigningKey.FromPkcs8Pem(pem));
    }

    [Theory]
    [InlineData("RSA", "P-256", null, null)]
    [InlineData("EC", "P-384", null, null)]
    [InlineData("EC", "P-256", "AAAA", null)]
    [InlineData("EC", "P-256", null, "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1")]
    [InlineData("EC", "P-256", null, "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")]
    public void FromJwk_Invalid_ThrowsInvalidKey(string kty, string crv, string? x, string? y)
    {
        var jwk = Vector.Jwk with { Kty = kty, Crv = crv, X = x ?? Vector.Jwk.X, Y = y ?? Vector.Jwk.Y };

        Assert.Throws<InvalidKeyException>(() => VerificationKey.FromJwk(jwk));
    }

    [Fact]
    public void FromJwk_WrongKid_ThrowsInvalidKey()
    {
        var jwk = Vector.Jwk with { Kid = "not-the-thumbprint" };

        Assert.Throws<InvalidKeyException>(() => VerificationKey.FromJwk(jwk));
    }

    [Fact]
    public void FromParameters_NoPrivateScalar_ThrowsInvalidKey()
    {
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = new byte[32], Y = new byte[32] },
        };

        Assert.Throws<InvalidKeyException>(() => SigningKey.FromParameters(parameters));
    }
}
