using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Epochs;

namespace Provenance.Core.Tests.Epochs;

public sealed class CheckpointTests
{
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] PreviousRoot = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
    private static readonly DateTimeOffset SealedAt = new(2026, 11, 21, 5, 6, 7, 890, TimeSpan.Zero);

    /// <summary>Known answer: epoch 7 over 1234 leaves, root bytes 0..31, previous root bytes 255..224 (also shown in docs/epochs.md).</summary>
    private static readonly string KnownText = TestData.Text("Epochs", "TestData", "checkpoint-epoch7.txt");

    [Fact]
    public void ToText_KnownCheckpoint_ExactBytes()
    {
        var checkpoint = Checkpoint.Create("main", 1234, Root, 7, PreviousRoot, SealedAt);

        var text = checkpoint.ToText();

        Assert.Equal(KnownText, text);
        Assert.Equal(Encoding.UTF8.GetBytes(KnownText), checkpoint.ToBytes());
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(KnownText)), checkpoint.Sha256());
    }

    [Fact]
    public void ToText_FirstEpoch_PreviousNone()
    {
        var checkpoint = Checkpoint.Create("main", 0, Root, 1, null, SealedAt);

        var text = checkpoint.ToText();

        Assert.EndsWith("epoch 1\nprevious none\nsealed 2026-11-21T05:06:07.890Z\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KnownText_RoundTrips()
    {
        var parsed = Checkpoint.Parse(KnownText);

        Assert.Equal(("main", 1234L, 7L, (long?)6), (parsed.LogId, parsed.TreeSize, parsed.Epoch, parsed.PreviousEpoch));
        Assert.Equal(Root, parsed.RootHash);
        Assert.Equal(PreviousRoot, parsed.PreviousRootHash);
        Assert.Equal(SealedAt, parsed.SealedAt);
        Assert.Equal(KnownText, parsed.ToText());
    }

    [Fact]
    public void Create_SubMillisecondLocalTime_TruncatedToUtcMilliseconds()
    {
        var local = new DateTimeOffset(2026, 11, 21, 7, 6, 7, 890, TimeSpan.FromHours(2)).AddTicks(4321);

        var checkpoint = Checkpoint.Create("main", 1, Root, 1, null, local);

        Assert.Equal(SealedAt, checkpoint.SealedAt);
        Assert.Equal(TimeSpan.Zero, checkpoint.SealedAt.Offset);
        Assert.Equal(checkpoint, Checkpoint.Parse(checkpoint.ToText()) with { RootHash = checkpoint.RootHash });
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "no final LF", KnownText[..^1] },
        { "CRLF", KnownText.Replace("\n", "\r\n", StringComparison.Ordinal) },
        { "extra line", KnownText + "extra\n" },
        { "other origin", KnownText.Replace("provenance.dev/log/", "example.com/log/", StringComparison.Ordinal) },
        { "leading zero size", KnownText.Replace("\n1234\n", "\n01234\n", StringComparison.Ordinal) },
        { "signed size", KnownText.Replace("\n1234\n", "\n+1234\n", StringComparison.Ordinal) },
        { "short root", KnownText.Replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAECAw==", StringComparison.Ordinal) },
        { "unpadded root", KnownText.Replace("Hh8=", "Hh8", StringComparison.Ordinal) },
        { "previous not n-1", KnownText.Replace("previous 6 ", "previous 5 ", StringComparison.Ordinal) },
        { "previous none after epoch 1", KnownText.Replace("previous 6 //79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=", "previous none", StringComparison.Ordinal) },
        { "time without millis", KnownText.Replace("05:06:07.890Z", "05:06:07Z", StringComparison.Ordinal) },
        { "time with offset", KnownText.Replace("05:06:07.890Z", "05:06:07.890+00:00", StringComparison.Ordinal) },
        { "double space", KnownText.Replace("epoch 7", "epoch  7", StringComparison.Ordinal) },
        { "epoch zero", KnownText.Replace("epoch 7\nprevious 6 //79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=", "epoch 0\nprevious none", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_NotExactForm_MalformedCheckpoint(string name, string text)
    {
        var error = Assert.Throws<MalformedCheckpointException>(() => Checkpoint.Parse(text));

        Assert.Equal("malformed-checkpoint", error.Code);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void Create_FirstEpochWithPreviousRoot_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Checkpoint.Create("main", 1, Root, 1, PreviousRoot, SealedAt));

        Assert.Equal("PreviousRootHash", error.ParamName);
    }
}
