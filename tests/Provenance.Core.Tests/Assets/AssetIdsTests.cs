using Provenance.Core.Assets;

namespace Provenance.Core.Tests.Assets;

public sealed class AssetIdsTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("img_2026-11-21:v1.final", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/no", false)]
    [InlineData("ünicode", false)]
    public void IsValid_Id_FollowsTheCharacterSet(string id, bool expected)
    {
        var valid = AssetIds.IsValid(id);

        Assert.Equal(expected, valid);
    }

    [Fact]
    public void IsValid_LengthBoundary_128AllowedAnd129Refused()
    {
        var longest = new string('a', 128);

        var tooLong = longest + "a";

        Assert.True(AssetIds.IsValid(longest));
        Assert.False(AssetIds.IsValid(tooLong));
    }

    [Fact]
    public void Format_KnownTimeAndRandom_UlidKnownAnswer()
    {
        // 1_469_918_176_385 ms with 80 zero bits is ULID 01ARYZ6S410000000000000000 (ulid/spec example time).
        var id = AssetIds.Format(1_469_918_176_385, new byte[AssetIds.RandomBytes]);

        Assert.Equal("ast_01ARYZ6S410000000000000000", id);
    }

    [Fact]
    public void Format_LaterMillisecond_SortsAfter()
    {
        var random = Enumerable.Repeat((byte)0xFF, AssetIds.RandomBytes).ToArray();

        var earlier = AssetIds.Format(1_000, random);
        var later = AssetIds.Format(1_001, new byte[AssetIds.RandomBytes]);

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.True(AssetIds.IsValid(later));
        Assert.Equal(30, later.Length);
    }
}
