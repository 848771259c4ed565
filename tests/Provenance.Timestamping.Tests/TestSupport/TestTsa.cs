namespace Provenance.Timestamping.Tests.TestSupport;

/// <summary>A built-in TSA over a temporary key folder.</summary>
internal sealed class TestTsa : IDisposable
{
    private TestTsa(TempFolder folder, BuiltInTsa tsa)
    {
        Folder = folder;
        Tsa = tsa;
    }

    public TempFolder Folder { get; }

    public BuiltInTsa Tsa { get; }

    public static TestTsa Create(TimeProvider? time = null, bool withTimestampingEku = true, BuiltInTsaOptions? options = null)
    {
        var folder = new TempFolder();
        return new TestTsa(folder, new BuiltInTsa(
            new FileTsaKeyStore(folder.Path), time ?? TimeProvider.System, options ?? new BuiltInTsaOptions(), withTimestampingEku));
    }

    public TsaOptions Options(Uri url, string? policyOid = null) => new()
    {
        Name = "built-in",
        Url = url,
        Timeout = TimeSpan.FromSeconds(60),
        PolicyOid = policyOid,
        TrustAnchorCertificates = [Tsa.TrustAnchor],
    };

    public void Dispose()
    {
        Tsa.Dispose();
        Folder.Dispose();
    }
}
