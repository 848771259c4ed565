using System.Text;
using System.Text.Json;
using Provenance.Core.Hashing;
using Provenance.Core.Json;
using Provenance.Core.Manifests;

namespace Provenance.Core.Tests.Manifests;

public sealed class ManifestCodecTests
{
    [Fact]
    public void ToCanonicalBytes_FullManifest_MatchesKnownAnswer()
    {
        var expected = TestData.Text("Manifests", "TestData", "full-manifest.canonical.json").TrimEnd('\n');

        var actual = Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Full()));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ToCanonicalBytes_Minimal_OmitsNullsAndEmitsSchemaVersion()
    {
        var json = Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal()));

        Assert.Equal(
            "{\"approvals\":[],\"assetId\":\"asset-min\",\"contentHash\":\"" + ContentHash.Compute("minimal"u8)
            + "\",\"createdAt\":\"2026-01-02T03:04:05Z\",\"creator\":{\"id\":\"user-1\"},\"mediaType\":\"image/png\",\"parents\":[],"
            + "\"restrictions\":[],\"schemaVersion\":\"provenance.manifest/v1\",\"status\":\"generated\",\"tags\":[],\"tenant\":\"acme\"}",
            json);
    }

    [Fact]
    public void ToCanonicalBytes_OffsetTimestamp_WrittenAsUtcZ()
    {
        var json = Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Full()));

        Assert.Contains("\"createdAt\":\"2026-11-21T02:30:00.125Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"relationship\":\"inputTo\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_Manifest_IsSha256OfCanonicalBytes()
    {
        var manifest = SampleManifests.Full();

        var hash = ManifestCodec.Hash(manifest);

        Assert.Equal(ContentHash.Compute(ManifestCodec.ToCanonicalBytes(manifest)), hash);
        Assert.NotEqual(ManifestCodec.Hash(manifest with { Title = "other" }), hash);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_CanonicalBytes_RoundTripsToSameBytes(bool full)
    {
        var manifest = full ? SampleManifests.Full() : SampleManifests.Minimal();
        var bytes = ManifestCodec.ToCanonicalBytes(manifest);

        var parsed = ManifestCodec.Parse(bytes);

        Assert.Equal(bytes, ManifestCodec.ToCanonicalBytes(parsed));
        Assert.Equal(manifest.ContentHash, parsed.ContentHash);
        Assert.Equal(manifest.CreatedAt, parsed.CreatedAt);
        Assert.Equal(manifest.Parents, parsed.Parents);
        Assert.Equal(manifest.Prompt, parsed.Prompt);
    }

    [Fact]
    public void Parse_NonCanonicalButValid_Accepted()
    {
        var json = """
            { "schemaVersion": "provenance.manifest/v1", "tenant": "acme", "assetId": "a1",
              "contentHash": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "mediaType": "text/plain", "creator": { "id": "u" }, "status": "failed",
              "statusReason": "provider timeout", "createdAt": "2026-01-02T05:04:05+02:00" }
            """u8;

        var parsed = ManifestCodec.Parse(json);

        Assert.Equal(LifecycleStatus.Failed, parsed.Status);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), parsed.CreatedAt);
        Assert.Empty(parsed.Parents);
    }

    [Theory]
    [InlineData("provenance.manifest/v2")]
    [InlineData("provenance.manifest/V1")]
    [InlineData("")]
    public void Parse_OtherSchemaVersion_ThrowsUnsupportedNamingBoth(string version)
    {
        var json = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal()))
            .Replace(Labels.ManifestSchemaV1, version, StringComparison.Ordinal));

        var error = Assert.Throws<UnsupportedSchemaVersionException>(() => ManifestCodec.Parse(json));

        Assert.Equal(version, error.Actual);
        Assert.Equal(Labels.ManifestSchemaV1, error.Supported);
        Assert.Equal("unsupported-schema-version", error.Code);
        Assert.Contains(Labels.ManifestSchemaV1, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NumericSchemaVersion_ThrowsUnsupportedNamingRawValue()
    {
        var json = """{"schemaVersion":1}"""u8.ToArray();

        var error = Assert.Throws<UnsupportedSchemaVersionException>(() => ManifestCodec.Parse(json));

        Assert.Equal("1", error.Actual);
    }

    [Fact]
    public void Parse_MissingSchemaVersion_ThrowsUnsupportedWithNullActual()
    {
        var json = """{"assetId":"a"}"""u8.ToArray();

        var error = Assert.Throws<UnsupportedSchemaVersionException>(() => ManifestCodec.Parse(json));

        Assert.Null(error.Actual);
        Assert.Equal("schemaVersion", error.Field);
    }

    [Theory]
    [InlineData("\"assetId\":\"asset-min\",", "")]
    [InlineData("\"tenant\":\"acme\"", "\"tenant\":\"acme\",\"surprise\":1")]
    [InlineData("\"status\":\"generated\"", "\"status\":\"Generated\"")]
    [InlineData("\"tenant\":\"acme\"", "\"tenant\":null")]
    [InlineData("\"creator\":{\"id\":\"user-1\"}", "\"creator\":{}")]
    [InlineData("\"createdAt\":\"2026-01-02T03:04:05Z\"", "\"createdAt\":\"2026-01-02T03:04:05\"")]
    [InlineData("\"contentHash\":\"sha256:", "\"contentHash\":\"SHA256:")]
    [InlineData("\"createdAt\":\"2026-01-02T03:04:05Z\"", "\"createdAt\":\"2026-01-02 03:04:05Z\"")]
    [InlineData("\"createdAt\":\"2026-01-02T03:04:05Z\"", "\"createdAt\":\"02/01/2026 03:04:05Z\"")]
    [InlineData("\"createdAt\":\"2026-01-02T03:04:05Z\"", "\"createdAt\":1767323045")]
    public void Parse_SchemaViolation_ThrowsInvalidManifest(string find, string replace)
    {
        var canonical = Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal()));
        Assert.Contains(find, canonical, StringComparison.Ordinal);
        var json = Encoding.UTF8.GetBytes(canonical.Replace(find, replace, StringComparison.Ordinal));

        var error = Assert.Throws<InvalidManifestException>(() => ManifestCodec.Parse(json));

        Assert.Equal("invalid-manifest", error.Code);
    }

    [Fact]
    public void Parse_DuplicateMember_ThrowsJcs()
    {
        var json = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(SampleManifests.Minimal()))
            .Replace("\"tenant\":\"acme\"", "\"tenant\":\"acme\",\"tenant\":\"evil\"", StringComparison.Ordinal));

        var error = Assert.Throws<JcsException>(() => ManifestCodec.Parse(json));

        Assert.Equal(JcsError.DuplicateProperty, error.Error);
    }

    [Fact]
    public void Tags_SourceListMutatedAfterwards_ManifestUnchanged()
    {
        var tags = new List<string> { "a" };
        var manifest = SampleManifests.Minimal() with { Tags = tags };

        tags.Add("b");

        Assert.Equal(["a"], manifest.Tags);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)manifest.Tags).Add("c"));
    }

    [Fact]
    public void GenerationParameters_SourceDocumentDisposed_StillReadable()
    {
        var manifest = SampleManifests.Full();

        var json = Encoding.UTF8.GetString(ManifestCodec.ToCanonicalBytes(manifest));

        Assert.Contains("\"generationParameters\":{\"guidance\":7.5,\"sampler\":\"euler_a\",\"seed\":42,\"size\":{\"h\":1024,\"w\":1024},\"steps\":30}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ModerationScores_NaN_ThrowsArgumentOutOfRange()
    {
        var act = () => new ModerationResult { Decision = ModerationDecision.Flagged, Scores = new Dictionary<string, double> { ["x"] = double.NaN } };

        Assert.Throws<ArgumentOutOfRangeException>(act);
    }

    [Fact]
    public void GenerationParameters_DuplicateMember_ThrowsJcs()
    {
        using var doc = JsonDocument.Parse("""{"seed":1,"seed":2}""");
        var manifest = SampleManifests.Minimal() with { GenerationParameters = doc.RootElement };

        Assert.Throws<JcsException>(() => ManifestCodec.ToCanonicalBytes(manifest));
    }
}
