using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Hashing;

namespace Provenance.Core.Tests.Hashing;

public sealed class ContentHashTests
{
    private const string AbcHash = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string EmptyHash = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Compute_Abc_MatchesFips180KnownAnswer()
    {
        var content = "abc"u8;

        var hash = ContentHash.Compute(content);

        Assert.Equal(AbcHash, hash.ToString());
    }

    [Fact]
    public void Compute_Empty_MatchesKnownAnswer()
    {
        var hash = ContentHash.Compute([]);

        Assert.Equal(EmptyHash, hash.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ContentHash.StreamBufferSize - 1)]
    [InlineData(ContentHash.StreamBufferSize)]
    [InlineData((2 * ContentHash.StreamBufferSize) + 17)]
    public async Task ComputeAsync_AnyLength_EqualsOneShotHash(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        using var stream = new TrickleStream(bytes);

        var hash = await ContentHash.ComputeAsync(stream);

        Assert.Equal(SHA256.HashData(bytes), hash.Bytes.ToArray());
    }

    [Fact]
    public async Task ComputeAsync_StreamNotAtStart_HashesRemainder()
    {
        using var stream = new MemoryStream("xxabc"u8.ToArray());
        stream.Position = 2;

        var hash = await ContentHash.ComputeAsync(stream);

        Assert.Equal(AbcHash, hash.ToString());
    }

    [Fact]
    public async Task ComputeAsync_NonSeekableLargeStream_EqualsOneShotHash()
    {
        var bytes = new byte[(3 * ContentHash.StreamBufferSize) + 5];
        new Random(7).NextBytes(bytes);
        using var stream = new NonSeekableStream(bytes);

        var hash = await ContentHash.ComputeAsync(stream);

        Assert.Equal(ContentHash.Compute(bytes), hash);
    }

    [Fact]
    public async Task ComputeAsync_CancelledToken_Throws()
    {
        using var stream = new MemoryStream(new byte[10]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ContentHash.ComputeAsync(stream, cts.Token));
    }

    [Fact]
    public void Parse_Canonical_RoundTrips()
    {
        var hash = ContentHash.Parse(AbcHash);

        Assert.Equal(AbcHash, hash.ToString());
        Assert.Equal(ContentHash.Compute("abc"u8), hash);
        Assert.Equal(32, hash.Bytes.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag")]
    [InlineData(" sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Parse_NonCanonical_ThrowsInvalidContentHash(string text)
    {
        var error = Assert.Throws<InvalidContentHashException>(() => ContentHash.Parse(text));

        Assert.Equal("invalid-content-hash", error.Code);
        Assert.False(ContentHash.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        var ok = ContentHash.TryParse(null, out var hash);

        Assert.False(ok);
        Assert.Equal(default, hash);
    }

    [Fact]
    public void Equals_DifferentContent_NotEqual()
    {
        var a = ContentHash.Compute("a"u8);
        var b = ContentHash.Compute("b"u8);

        Assert.NotEqual(a, b);
        Assert.True(a != b);
        Assert.Equal(a, ContentHash.FromBytes(a.Bytes));
        Assert.Equal(a.GetHashCode(), ContentHash.FromBytes(a.Bytes).GetHashCode());
    }

    [Fact]
    public void FromBytes_WrongLength_Throws()
    {
        var tooShort = new byte[31];

        Assert.Throws<ArgumentException>(() => { ContentHash.FromBytes(tooShort); });
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Returns at most 1000 bytes per read, to prove the hasher handles short reads.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
