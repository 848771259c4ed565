using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Provenance.Core.Hashing;

/// <summary>
/// SHA-256 of the exact bytes of an asset, written <c>sha256:&lt;64 lowercase hex&gt;</c>
/// (see <see cref="Labels.ContentHashPrefix"/>). Equality is by digest. The <c>default</c> value is the
/// all-zero digest and is never produced by hashing real content. In JSON it is the canonical string.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ContentHashJsonConverter))]
public readonly struct ContentHash : IEquatable<ContentHash>
{
    /// <summary>Length of a SHA-256 digest in bytes.</summary>
    public const int DigestLength = 32;

    /// <summary>Length of the canonical string form: <c>"sha256:".Length + 64</c>.</summary>
    public const int StringLength = 7 + (DigestLength * 2);

    /// <summary>Read buffer used by <see cref="ComputeAsync"/>; large enough that syscall overhead is negligible.</summary>
    internal const int StreamBufferSize = 1024 * 1024;

    private const int MinStreamBufferSize = 4096;

    private readonly byte[]? _digest;

    private ContentHash(byte[] digest) => _digest = digest;

    /// <summary>The raw 32-byte digest (all zeros for <c>default</c>).</summary>
    public ReadOnlySpan<byte> Bytes => _digest ?? new byte[DigestLength];

    /// <summary>Wraps an existing digest.</summary>
    /// <param name="digest">Exactly 32 bytes; copied.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not 32 bytes long.</exception>
    public static ContentHash FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != DigestLength)
        {
            throw new ArgumentException($"A SHA-256 digest is {DigestLength} bytes, got {digest.Length}.", nameof(digest));
        }

        return new ContentHash(digest.ToArray());
    }

    /// <summary>Hashes <paramref name="content"/> in one call. Never throws.</summary>
    public static ContentHash Compute(ReadOnlySpan<byte> content) => new(SHA256.HashData(content));

    /// <summary>
    /// Hashes <paramref name="content"/> from its current position to its end, streaming through a pooled
    /// buffer of at most 1 MiB, so memory use is constant whatever the length. The stream is not disposed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is null.</exception>
    /// <exception cref="NotSupportedException"><paramref name="content"/> is not readable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<ContentHash> ComputeAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new NotSupportedException("The stream is not readable.");
        }

        // A small seekable stream needs no 1 MiB buffer; anything else gets the full size, whatever its length.
        var bufferSize = content.CanSeek
            ? (int)Math.Clamp(content.Length - content.Position, MinStreamBufferSize, StreamBufferSize)
            : StreamBufferSize;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, bufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            return new ContentHash(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses the canonical form strictly: <c>sha256:</c> prefix, exactly 64 hex digits, lowercase only.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="InvalidContentHashException"><paramref name="text"/> is not canonical.</exception>
    public static ContentHash Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = TryParseCore(text, out var hash);
        return error is null ? hash : throw new InvalidContentHashException(text, error);
    }

    /// <summary>Like <see cref="Parse"/> but returns <see langword="false"/> instead of throwing. Never throws.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ContentHash hash)
    {
        hash = default;
        return text is not null && TryParseCore(text, out hash) is null;
    }

    private static string? TryParseCore(ReadOnlySpan<char> text, out ContentHash hash)
    {
        hash = default;
        if (!text.StartsWith(Labels.ContentHashPrefix, StringComparison.Ordinal))
        {
            return "missing 'sha256:' prefix";
        }

        if (text.Length != StringLength)
        {
            return $"length {text.Length}, expected {StringLength}";
        }

        var hex = text[Labels.ContentHashPrefix.Length..];
        var digest = new byte[DigestLength];
        for (var i = 0; i < DigestLength; i++)
        {
            var hi = LowerHexValue(hex[2 * i]);
            var lo = LowerHexValue(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return "digits must be lowercase hex";
            }

            digest[i] = (byte)((hi << 4) | lo);
        }

        hash = new ContentHash(digest);
        return null;
    }

    private static int LowerHexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>The canonical form <c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
    public override string ToString() => string.Concat(Labels.ContentHashPrefix, Convert.ToHexStringLower(Bytes));

    /// <inheritdoc/>
    public bool Equals(ContentHash other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContentHash other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(Bytes);

    /// <summary>Digest equality.</summary>
    public static bool operator ==(ContentHash left, ContentHash right) => left.Equals(right);

    /// <summary>Digest inequality.</summary>
    public static bool operator !=(ContentHash left, ContentHash right) => !left.Equals(right);
}
