using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Core.Signing;

namespace Provenance.Core.Tests.Signing;

/// <summary>The RFC 7515 Appendix A.3 known answer, read from TestData.</summary>
internal sealed class Rfc7515Vector
{
    private Rfc7515Vector(JsonElement root)
    {
        var jwk = root.GetProperty("jwk");
        Jwk = new EcPublicJwk(jwk.GetProperty("kty").GetString()!, jwk.GetProperty("crv").GetString()!, jwk.GetProperty("x").GetString()!, jwk.GetProperty("y").GetString()!);
        D = jwk.GetProperty("d").GetString()!;
        Jws = root.GetProperty("jws").GetString()!;
        Payload = root.GetProperty("payload").GetString()!;
        Thumbprint = root.GetProperty("thumbprint").GetString()!;
    }

    public EcPublicJwk Jwk { get; }

    public string D { get; }

    public string Jws { get; }

    public string Payload { get; }

    public string Thumbprint { get; }

    public static Rfc7515Vector Load()
    {
        using var doc = JsonDocument.Parse(TestData.Bytes("Signing", "TestData", "rfc7515-a3.json"));
        return new Rfc7515Vector(doc.RootElement.Clone());
    }

    public SigningKey PrivateKey() => SigningKey.FromParameters(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Base64UrlDecode(Jwk.X), Y = Base64UrlDecode(Jwk.Y) },
        D = Base64UrlDecode(D),
    });

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
