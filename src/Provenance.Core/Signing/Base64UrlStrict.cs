using System.Buffers.Text;

namespace Provenance.Core.Signing;

/// <summary>Base64url without padding (RFC 7515 section 2 and Appendix C), decoded strictly: one encoding per value.</summary>
internal static class Base64UrlStrict
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Decodes <paramref name="text"/>, refusing padding, whitespace and non-zero trailing bits.</summary>
    /// <exception cref="MalformedJwsException">Not canonical unpadded base64url.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text, string what)
    {
        if (text.Length % 4 == 1 || text.ContainsAnyExcept(Alphabet))
        {
            throw new MalformedJwsException($"The {what} is not unpadded base64url.");
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException e)
        {
            throw new MalformedJwsException($"The {what} is not canonical base64url.", e);
        }

        // Two encodings can decode to the same bytes when the trailing bits are not zero; accept only the canonical one.
        if (!Base64Url.EncodeToString(bytes).AsSpan().SequenceEqual(text))
        {
            throw new MalformedJwsException($"The {what} is not canonical base64url.");
        }

        return bytes;
    }

    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
