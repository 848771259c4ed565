using System.Globalization;
using System.Text;

namespace Provenance.Core.Evidence;

/// <summary>
/// The body of a log checkpoint, in the style of a C2SP signed note (c2sp.org/tlog-checkpoint):
/// line 1 the log origin, line 2 the tree size in decimal, line 3 the root hash in standard base64,
/// then optional extension lines; every line ends with LF. The whole text is what the log key signs and
/// what each RFC 3161 token timestamps (its SHA-256 is the token's message imprint).
/// </summary>
/// <param name="Origin">Log identity, e.g. <c>provenance.dev/log/default</c>.</param>
/// <param name="TreeSize">Number of leaves in the tree.</param>
/// <param name="RootHash">The RFC 9162 root hash of that tree (32 bytes).</param>
/// <param name="Extensions">Lines after the third, as they are (e.g. <c>epoch 7</c>).</param>
public sealed record Checkpoint(string Origin, long TreeSize, byte[] RootHash, IReadOnlyList<string> Extensions)
{
    /// <summary>Label of this text form, written to a bundle's index.</summary>
    public const string FormatV1 = "c2sp-checkpoint";

    /// <summary>Formats a checkpoint body (LF line ends, trailing LF).</summary>
    public static byte[] Format(string origin, long treeSize, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var text = new StringBuilder()
            .Append(origin).Append('\n')
            .Append(treeSize.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(rootHash)).Append('\n');
        foreach (var line in extensions ?? [])
        {
            text.Append(line).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Parses a checkpoint body.</summary>
    /// <exception cref="FormatException">Fewer than three LF-terminated lines, a size that is not a non-negative decimal, or a root that is not base64 of 32 bytes.</exception>
    public static Checkpoint Parse(ReadOnlySpan<byte> text)
    {
        string body;
        try
        {
            body = new UTF8Encoding(false, true).GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("The checkpoint is not UTF-8.", e);
        }

        if (!body.EndsWith('\n'))
        {
            throw new FormatException("The checkpoint must end with a line feed.");
        }

        var lines = body[..^1].Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0)
        {
            throw new FormatException("The checkpoint needs an origin, a tree size and a root hash line.");
        }

        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw new FormatException($"The checkpoint tree size '{lines[1]}' is not a decimal number.");
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException e)
        {
            throw new FormatException("The checkpoint root hash is not base64.", e);
        }

        if (root.Length != 32)
        {
            throw new FormatException($"The checkpoint root hash must be 32 bytes, got {root.Length}.");
        }

        return new Checkpoint(lines[0], size, root, lines[3..]);
    }
}
