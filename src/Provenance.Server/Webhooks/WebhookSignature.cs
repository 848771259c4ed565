using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Provenance.Server.Webhooks;

/// <summary>
/// <c>Provenance-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>.
/// The timestamp lets receivers refuse replays; the HMAC key is the subscription secret as UTF-8.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header name.</summary>
    public const string HeaderName = "Provenance-Signature";

    /// <summary>Computes the header value.</summary>
    public static string Create(string secret, long unixSeconds, string body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Checks a header value against a body (constant-time); false on any format error.</summary>
    public static bool Verify(string secret, string header, string body)
    {
        string? t = null, v1 = null;
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            var (k, v) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (k == "t") t = v;
            else if (k == "v1") v1 = v;
        }

        if (t is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var expected = Create(secret, seconds, body);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes($"t={t},v1={v1}"));
    }
}
