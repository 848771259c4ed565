using System.Globalization;

namespace Provenance.Core.Prompts;

/// <summary>
/// A prompt version number: <c>MAJOR.MINOR.PATCH</c> (Semantic Versioning 2.0.0 section 2, without pre-release or
/// build parts), each part a non-negative integer of at most 9 digits without leading zeros.
/// </summary>
public readonly record struct SemanticVersion(int Major, int Minor, int Patch) : IComparable<SemanticVersion>
{
    /// <summary>Parses a version.</summary>
    /// <exception cref="Assets.ValidationFailedException">Not MAJOR.MINOR.PATCH with non-negative parts and no leading zeros.</exception>
    public static SemanticVersion Parse(string? text, string field = "version") =>
        TryParse(text, out var version)
            ? version
            : throw new Assets.ValidationFailedException($"'{text}' is not a version of the form MAJOR.MINOR.PATCH (non-negative integers, no leading zeros).", field);

    /// <summary>Parses a version; false when malformed.</summary>
    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = default;
        var parts = text?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        Span<int> values = stackalloc int[3];
        for (var i = 0; i < 3; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 9 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            values[i] = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        version = new SemanticVersion(values[0], values[1], values[2]);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(SemanticVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}
