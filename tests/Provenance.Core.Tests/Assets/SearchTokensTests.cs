using Provenance.Core.Assets;

namespace Provenance.Core.Tests.Assets;

public sealed class SearchTokensTests
{
    [Fact]
    public void Tokenize_MixedTexts_LowerCasedDistinctWordsOfTwoOrMore()
    {
        var tokens = SearchTokens.Tokenize(["Sunset over Oslo", null, "sunset, a fjord!", "x"]);

        Assert.Equal(["sunset", "over", "oslo", "fjord"], tokens);
    }

    [Fact]
    public void Tokenize_ManyWords_CappedAtMaxTokens()
    {
        var text = string.Join(' ', Enumerable.Range(0, 500).Select(i => $"w{i}"));

        var tokens = SearchTokens.Tokenize([text]);

        Assert.Equal(SearchTokens.MaxTokens, tokens.Count);
    }
}
