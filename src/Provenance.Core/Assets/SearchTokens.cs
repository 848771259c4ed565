namespace Provenance.Core.Assets;

/// <summary>Search tokens of an asset: lower-cased runs of letters and digits (2-64 characters), distinct, in first-seen order. Pure.</summary>
public static class SearchTokens
{
    /// <summary>Most tokens kept per asset (bounds the index rows one registration writes).</summary>
    public const int MaxTokens = 64;

    private const int MinLength = 2;
    private const int MaxLength = 64;

    /// <summary>Tokens of <paramref name="texts"/> (nulls skipped), at most <see cref="MaxTokens"/>.</summary>
    public static IReadOnlyList<string> Tokenize(IEnumerable<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tokens = new List<string>();
        foreach (var text in texts)
        {
            if (text is null)
            {
                continue;
            }

            var start = -1;
            for (var i = 0; i <= text.Length && tokens.Count < MaxTokens; i++)
            {
                var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
                if (inWord && start < 0)
                {
                    start = i;
                }
                else if (!inWord && start >= 0)
                {
                    var length = i - start;
                    if (length is >= MinLength and <= MaxLength)
                    {
                        var token = text.Substring(start, length).ToLowerInvariant();
                        if (seen.Add(token))
                        {
                            tokens.Add(token);
                        }
                    }

                    start = -1;
                }
            }
        }

        return tokens;
    }

    /// <summary>Normalises one query word the way <see cref="Tokenize"/> does, or null when it is no token.</summary>
    public static string? Normalize(string? word)
    {
        var tokens = Tokenize([word]);
        return tokens.Count == 1 ? tokens[0] : null;
    }
}
