using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Provenance.Core.Epochs;

/// <summary>
/// The checkpoint of one epoch: the log's size and RFC 9162 root when the epoch was sealed, linked to the previous
/// epoch's root. Its text form (in the spirit of C2SP signed notes / tlog-checkpoint) is what the log key signs and
/// what TSAs stamp. Every line ends with one LF, no other whitespace:
/// <code>
/// provenance.dev/log/&lt;logId&gt;          origin
/// &lt;tree size, decimal&gt;
/// &lt;root hash, base64 (RFC 4648 section 4, padded)&gt;
/// epoch &lt;n&gt;
/// previous &lt;n-1&gt; &lt;root of n-1, base64&gt;   (or "previous none" for epoch 1)
/// sealed &lt;RFC 3339 UTC, yyyy-MM-ddTHH:mm:ss.fffZ&gt;
/// </code>
/// Decimal numbers have no sign and no leading zeros. Pure: no clock, no I/O.
/// </summary>
/// <param name="LogId">The log id (the origin line is <see cref="Labels.CheckpointOriginPrefix"/> + id); no whitespace.</param>
/// <param name="TreeSize">Sequenced leaves covered.</param>
/// <param name="RootHash">RFC 9162 root of those leaves (32 bytes).</param>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="PreviousRootHash">Root of epoch <c>Epoch - 1</c>; <see langword="null"/> exactly when <c>Epoch == 1</c>.</param>
/// <param name="SealedAt">When it was sealed (UTC, millisecond precision).</param>
public sealed record Checkpoint(string LogId, long TreeSize, byte[] RootHash, long Epoch, byte[]? PreviousRootHash, DateTimeOffset SealedAt)
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The origin line: <c>provenance.dev/log/&lt;logId&gt;</c>.</summary>
    public string Origin => Labels.CheckpointOriginPrefix + LogId;

    /// <summary>The previous epoch's number, or <see langword="null"/> for epoch 1.</summary>
    public long? PreviousEpoch => Epoch > 1 ? Epoch - 1 : null;

    /// <summary>Creates a checkpoint, truncating <paramref name="sealedAt"/> to whole milliseconds in UTC so the text round-trips.</summary>
    /// <exception cref="ArgumentException">A field breaks the rules above.</exception>
    public static Checkpoint Create(string logId, long treeSize, byte[] rootHash, long epoch, byte[]? previousRootHash, DateTimeOffset sealedAt)
    {
        var utc = sealedAt.ToUniversalTime();
        var truncated = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var checkpoint = new Checkpoint(logId, treeSize, rootHash, epoch, previousRootHash, truncated);
        checkpoint.Validate();
        return checkpoint;
    }

    /// <summary>The exact text that is signed.</summary>
    /// <exception cref="ArgumentException">A field breaks the rules above.</exception>
    public string ToText()
    {
        Validate();
        var text = new StringBuilder(256);
        text.Append(Origin).Append('\n');
        text.Append(TreeSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(Convert.ToBase64String(RootHash)).Append('\n');
        text.Append("epoch ").Append(Epoch.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (PreviousRootHash is null)
        {
            text.Append("previous none\n");
        }
        else
        {
            text.Append("previous ").Append((Epoch - 1).ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(Convert.ToBase64String(PreviousRootHash)).Append('\n');
        }

        text.Append("sealed ").Append(SealedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>The UTF-8 bytes of <see cref="ToText"/>: what the JWS signs.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToText());

    /// <summary>SHA-256 of <see cref="ToBytes"/>: the RFC 3161 message imprint.</summary>
    public byte[] Sha256() => SHA256.HashData(ToBytes());

    /// <summary>Parses the exact text form; anything else (extra or missing lines, CR, spaces, non-canonical numbers or base64) is refused.</summary>
    /// <exception cref="MalformedCheckpointException">The text is not a checkpoint in the exact form.</exception>
    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('\n'))
        {
            throw new MalformedCheckpointException("The checkpoint text must end with LF.");
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length != 6)
        {
            throw new MalformedCheckpointException($"A checkpoint has 6 lines, this one {lines.Length}.");
        }

        if (!lines[0].StartsWith(Labels.CheckpointOriginPrefix, StringComparison.Ordinal))
        {
            throw new MalformedCheckpointException($"The origin line must start with '{Labels.CheckpointOriginPrefix}'.");
        }

        var logId = lines[0][Labels.CheckpointOriginPrefix.Length..];
        var size = ParseDecimal(lines[1], "tree size");
        var root = ParseHash(lines[2], "root hash");
        var epoch = ParseDecimal(Field(lines[3], "epoch "), "epoch");
        var previousText = Field(lines[4], "previous ");
        byte[]? previous = null;
        if (previousText != "none")
        {
            var parts = previousText.Split(' ');
            if (parts.Length != 2 || ParseDecimal(parts[0], "previous epoch") != epoch - 1)
            {
                throw new MalformedCheckpointException($"The previous line must be 'previous {epoch - 1} <root>' or 'previous none'.");
            }

            previous = ParseHash(parts[1], "previous root");
        }

        var sealedText = Field(lines[5], "sealed ");
        if (!DateTime.TryParseExact(sealedText, TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var sealedAt))
        {
            throw new MalformedCheckpointException($"'{sealedText}' is not an RFC 3339 UTC time of the form {TimeFormat}.");
        }

        var checkpoint = new Checkpoint(logId, size, root, epoch, previous, new DateTimeOffset(sealedAt, TimeSpan.Zero));
        try
        {
            checkpoint.Validate();
        }
        catch (ArgumentException e)
        {
            throw new MalformedCheckpointException(e.Message);
        }

        if (checkpoint.ToText() != text)
        {
            throw new MalformedCheckpointException("The checkpoint text is not in canonical form.");
        }

        return checkpoint;
    }

    private void Validate()
    {
        if (string.IsNullOrEmpty(LogId) || LogId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException("The log id must be non-empty without whitespace.", nameof(LogId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(TreeSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(Epoch, 1);
        if (RootHash is not { Length: 32 })
        {
            throw new ArgumentException("The root hash must be 32 bytes.", nameof(RootHash));
        }

        if ((Epoch == 1) != (PreviousRootHash is null))
        {
            throw new ArgumentException("Epoch 1, and only epoch 1, has no previous root.", nameof(PreviousRootHash));
        }

        if (PreviousRootHash is not null && PreviousRootHash.Length != 32)
        {
            throw new ArgumentException("The previous root hash must be 32 bytes.", nameof(PreviousRootHash));
        }
    }

    private static string Field(string line, string keyword) =>
        line.StartsWith(keyword, StringComparison.Ordinal)
            ? line[keyword.Length..]
            : throw new MalformedCheckpointException($"Expected a line starting with '{keyword}', got '{line}'.");

    private static long ParseDecimal(string text, string what)
    {
        if (text.Length == 0 || text.Length > 19 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0')
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new MalformedCheckpointException($"The {what} '{text}' is not a canonical decimal number.");
        }

        return value;
    }

    private static byte[] ParseHash(string text, string what)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new MalformedCheckpointException($"The {what} is not base64.");
        }

        if (bytes.Length != 32 || Convert.ToBase64String(bytes) != text)
        {
            throw new MalformedCheckpointException($"The {what} must be 32 bytes in canonical base64.");
        }

        return bytes;
    }
}
