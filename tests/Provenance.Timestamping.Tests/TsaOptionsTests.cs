using Provenance.Timestamping.Tests.TestSupport;

namespace Provenance.Timestamping.Tests;

public sealed class TsaOptionsTests
{
    [Fact]
    public void ResolveTrustAnchors_PemFileAndCertificate_ReturnsBoth()
    {
        using TestTsa first = TestTsa.Create();
        using TestTsa second = TestTsa.Create();
        string path = first.Folder.File("anchor.pem");
        File.WriteAllText(path, first.Tsa.RootCertificatePem);
        var options = new TsaOptions
        {
            Name = "tsa",
            Url = new Uri("https://tsa.example/"),
            TrustAnchorPaths = [path],
            TrustAnchorCertificates = [second.Tsa.TrustAnchor],
        };

        var anchors = options.ResolveTrustAnchors();

        Assert.Equal(
            new[] { second.Tsa.TrustAnchor.Thumbprint, first.Tsa.TrustAnchor.Thumbprint }.Order(),
            anchors.Select(a => a.Thumbprint).Order());
    }

    [Fact]
    public void ResolveTrustAnchors_FileUnchangedThenReplaced_ParsedOnceThenReadAgain()
    {
        using TestTsa first = TestTsa.Create();
        using TestTsa second = TestTsa.Create();
        string path = first.Folder.File("rotating.pem");
        File.WriteAllText(path, first.Tsa.RootCertificatePem);
        var options = WithAnchorFile(path);

        var once = Assert.Single(options.ResolveTrustAnchors());
        var twice = Assert.Single(options.ResolveTrustAnchors());
        File.WriteAllText(path, second.Tsa.RootCertificatePem);
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(5));
        var rotated = Assert.Single(options.ResolveTrustAnchors());

        Assert.Same(once, twice);
        Assert.Equal(first.Tsa.TrustAnchor.Thumbprint, once.Thumbprint);
        Assert.Equal(second.Tsa.TrustAnchor.Thumbprint, rotated.Thumbprint);
    }

    [Fact]
    public void ResolveTrustAnchors_FileDeletedAfterFirstRead_ThrowsConfiguration()
    {
        using TestTsa tsa = TestTsa.Create();
        string path = tsa.Folder.File("gone.pem");
        File.WriteAllText(path, tsa.Tsa.RootCertificatePem);
        var options = WithAnchorFile(path);
        Assert.Single(options.ResolveTrustAnchors());
        File.Delete(path);

        var error = Assert.Throws<TimestampException>(() => options.ResolveTrustAnchors());

        Assert.Equal(TimestampFailureReason.Configuration, error.Reason);
    }

    private static TsaOptions WithAnchorFile(string path) => new() { Name = "tsa", Url = new Uri("https://tsa.example/"), TrustAnchorPaths = [path] };

    public static TheoryData<string, TsaOptions> InvalidOptions => new()
    {
        { "no name", new TsaOptions { Url = new Uri("https://tsa.example/"), TrustAnchorPaths = ["/dev/null"] } },
        { "no url", new TsaOptions { Name = "tsa", TrustAnchorPaths = ["/dev/null"] } },
        { "ftp url", new TsaOptions { Name = "tsa", Url = new Uri("ftp://tsa.example/"), TrustAnchorPaths = ["/dev/null"] } },
        { "zero timeout", new TsaOptions { Name = "tsa", Url = new Uri("https://tsa.example/"), Timeout = TimeSpan.Zero, TrustAnchorPaths = ["/dev/null"] } },
        { "no anchors", new TsaOptions { Name = "tsa", Url = new Uri("https://tsa.example/") } },
        { "missing anchor file", new TsaOptions { Name = "tsa", Url = new Uri("https://tsa.example/"), TrustAnchorPaths = ["/nonexistent/root.pem"] } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void ResolveTrustAnchors_InvalidOptions_ThrowsConfiguration(string probe, TsaOptions options)
    {
        var error = Assert.Throws<TimestampException>(() => options.ResolveTrustAnchors());

        Assert.True(error.Reason == TimestampFailureReason.Configuration, probe);
    }
}
