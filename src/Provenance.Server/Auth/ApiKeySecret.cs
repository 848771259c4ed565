using System.Security.Cryptography;
using System.Text;

namespace Provenance.Server.Auth;

/// <summary>
/// API key wire format <c>pvk_&lt;keyId&gt;_&lt;secret&gt;</c>: the key id (12 lowercase base-32 characters)
/// names the stored row, the secret (32 random bytes, base64url) is only ever stored as its SHA-256.
/// </summary>
internal static class ApiKeySecret
{
    public const string Prefix = "pvk_";
    private const int KeyIdLength = 12;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new key: its id, the full token to hand out once, and the hash to store.</summary>
    public static (string KeyId, string Token, byte[] Hash) Create()
    {
        Span<byte> idBytes = stackalloc byte[KeyIdLength];
        RandomNumberGenerator.Fill(idBytes);
        var id = new char[KeyIdLength];
        for (var i = 0; i < KeyIdLength; i++)
        {
            id[i] = Base32[idBytes[i] & 31];
        }

        var keyId = new string(id);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented token; false when it does not have the key format.</summary>
    public static bool TryParse(string token, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + KeyIdLength + 2 || token[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        keyId = token.Substring(Prefix.Length, KeyIdLength);
        secret = token[(Prefix.Length + KeyIdLength + 1)..];
        return keyId.All(c => Base32.Contains(c, StringComparison.Ordinal)) && secret.Length is > 0 and <= 256;
    }

    /// <summary>True when <paramref name="keyId"/> has the id format (used to refuse bad path values early).</summary>
    public static bool IsKeyId(string keyId) => keyId.Length == KeyIdLength && keyId.All(c => Base32.Contains(c, StringComparison.Ordinal));

    /// <summary>SHA-256 of the secret's UTF-8 bytes.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Constant-time comparison of a stored hash with the hash of a presented secret.</summary>
    public static bool Matches(byte[] storedHash, string presentedSecret) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(presentedSecret));

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
