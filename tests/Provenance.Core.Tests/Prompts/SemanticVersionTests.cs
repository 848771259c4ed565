using Provenance.Core.Assets;
using Provenance.Core.Prompts;

namespace Provenance.Core.Tests.Prompts;

public sealed class SemanticVersionTests
{
    [Theory]
    [InlineData("0.0.0")]
    [InlineData("1.2.3")]
    [InlineData("10.20.300")]
    public void Parse_Valid_RoundTrips(string text)
    {
        var version = SemanticVersion.Parse(text);

        Assert.Equal(text, version.ToString());
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-rc1")]
    [InlineData("-1.2.3")]
    [InlineData("1..3")]
    [InlineData(null)]
    public void Parse_Malformed_ValidationFailed(string? text)
    {
        var error = Assert.Throws<ValidationFailedException>(() => SemanticVersion.Parse(text));

        Assert.Equal("version", error.Field);
    }

    [Fact]
    public void CompareTo_NumericParts_NotLexical()
    {
        var nine = SemanticVersion.Parse("1.9.0");

        var ten = SemanticVersion.Parse("1.10.0");

        Assert.True(nine.CompareTo(ten) < 0);
    }
}
