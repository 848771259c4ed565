using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace Provenance.Timestamping.Tests.TestSupport;

/// <summary>Requests and tokens for tests, made with the framework's RFC 3161 support.</summary>
internal static class Tokens
{
    public static byte[] Sha256(string text) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));

    public static byte[] Query(byte[] sha256, byte[]? nonce = null, bool certReq = true, string? policy = null) =>
        Rfc3161TimestampRequest.CreateFromHash(
            sha256, HashAlgorithmName.SHA256, policy is null ? null : new Oid(policy), nonce ?? [0x01, 0x02, 0x03], certReq).Encode();

    /// <summary>Asks the built-in TSA in process and returns the token of its (granted) reply.</summary>
    public static byte[] FromBuiltIn(BuiltInTsa tsa, byte[] sha256, bool certReq = true)
    {
        Rfc3161Response response = Rfc3161.DecodeResponse(tsa.Respond(Query(sha256, certReq: certReq)));
        Assert.Equal(PkiStatus.Granted, response.Status);
        return response.TokenDer!;
    }

    public static byte[] Flip(byte[] bytes, int index)
    {
        byte[] copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }
}
