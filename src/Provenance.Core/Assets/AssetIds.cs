using System.Buffers.Binary;

namespace Provenance.Core.Assets;

/// <summary>
/// Asset ids: one global namespace, stable and opaque. Caller-chosen ids are 1-128 characters of
/// <c>[A-Za-z0-9._:-]</c>; generated ids are <c>ast_</c> followed by a 26-character ULID-style value
/// (48-bit Unix milliseconds then 80 random bits, Crockford base32), so they sort by creation time.
/// </summary>
public static class AssetIds
{
    /// <summary>Longest caller-chosen id.</summary>
    public const int MaxLength = 128;

    /// <summary>Prefix of generated ids.</summary>
    public const string GeneratedPrefix = "ast_";

    /// <summary>Number of random bytes a generated id takes.</summary>
    public const int RandomBytes = 10;

    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>True when <paramref name="id"/> is a well-formed asset id.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks an id.</summary>
    /// <exception cref="ValidationFailedException">Not 1-128 characters of [A-Za-z0-9._:-].</exception>
    public static void EnsureValid(string? id, string field = "assetId")
    {
        if (!IsValid(id))
        {
            throw new ValidationFailedException("An asset id is 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'.", field);
        }
    }

    /// <summary>Formats a generated id from its time and random parts.</summary>
    /// <param name="unixMilliseconds">Creation time; requires 0 ≤ value &lt; 2^48.</param>
    /// <param name="random">Exactly <see cref="RandomBytes"/> random bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A precondition is broken.</exception>
    public static string Format(long unixMilliseconds, ReadOnlySpan<byte> random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unixMilliseconds, 1L << 48);
        ArgumentOutOfRangeException.ThrowIfNotEqual(random.Length, RandomBytes);
        Span<byte> value = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(value, unixMilliseconds << 16);
        random.CopyTo(value[6..]);
        var high = BinaryPrimitives.ReadUInt64BigEndian(value);
        var low = BinaryPrimitives.ReadUInt64BigEndian(value[8..]);
        return string.Create(GeneratedPrefix.Length + 26, (high, low), static (chars, v) =>
        {
            GeneratedPrefix.CopyTo(chars);
            var digits = chars[GeneratedPrefix.Length..];
            // 128 bits as 26 base32 digits: the first digit holds the top 3 bits.
            var (hi, lo) = v;
            for (var i = 25; i >= 0; i--)
            {
                digits[i] = Crockford[(int)(lo & 31)];
                lo = (lo >> 5) | (hi << 59);
                hi >>= 5;
            }
        });
    }
}
