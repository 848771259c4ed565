using System.Text.Json;
using Provenance.Client;
using Provenance.Core;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Cli.Tests.Client;

public sealed class ProvenanceClientTests
{
    private const string AssetJson = """
        {"assetId":"a1","tenant":"default","contentHash":"sha256:0000000000000000000000000000000000000000000000000000000000000000","mediaType":"image/png",
         "tags":[],"parents":[{"assetId":"p1","contentHash":"sha256:1111111111111111111111111111111111111111111111111111111111111111","relationship":"componentOf"}],
         "status":"generated","restrictions":[],"inheritedRestrictions":[],"moderation":[],"approvals":[],"manifestHash":"sha256:2222222222222222222222222222222222222222222222222222222222222222",
         "signingKeyId":"k1","createdAt":"2026-11-21T05:00:00Z","updatedAt":"2026-11-21T05:00:00Z"}
        """;

    private static ProvenanceClient Client(CannedServer server, int maxRetries = 3, TimeSpan? timeout = null) => new(new ProvenanceClientOptions
    {
        BaseAddress = server.BaseAddress,
        ApiKey = "secret-key",
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task GetAsync_NotFoundProblem_ThrowsNotFoundWithProblemFields()
    {
        using var server = CannedServer.Always(404, CannedServer.Problem(404, "not-found", "Not found", "No asset a1.", "assetId"));
        using var client = Client(server);

        var e = await Assert.ThrowsAsync<ProvenanceNotFoundException>(() => client.Asset("a1").GetAsync());

        Assert.Equal(404, e.Status);
        Assert.Equal("not-found", e.Code);
        Assert.Equal("Not found", e.Title);
        Assert.Equal("No asset a1.", e.Detail);
        Assert.Equal("assetId", e.Field);
        Assert.Equal("00-abc-01", e.TraceId);
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Theory]
    [InlineData(401, "unauthenticated", typeof(ProvenanceUnauthorizedException))]
    [InlineData(403, "forbidden", typeof(ProvenanceForbiddenException))]
    [InlineData(409, "lineage-cycle", typeof(ProvenanceConflictException))]
    [InlineData(400, "validation-failed", typeof(ProvenanceApiException))]
    [InlineData(413, "payload-too-large", typeof(ProvenanceApiException))]
    [InlineData(503, "unavailable", typeof(ProvenanceServerException))]
    public async Task RegisterAsync_ProblemStatus_ThrowsTypedExceptionWithCodeFromType(int status, string code, Type expected)
    {
        using var server = CannedServer.Always(status, CannedServer.Problem(status, code, "Refused", field: "parents[0].assetId"));
        using var client = Client(server);

        var e = await Assert.ThrowsAnyAsync<ProvenanceApiException>(() => client.Assets.RegisterAsync(new RegisterAssetRequest(null, "sha256:00", "image/png")));

        Assert.IsType(expected, e);
        Assert.Equal(code, e.Code);
        Assert.Equal(status, e.Status);
        Assert.Equal("parents[0].assetId", e.Field);
    }

    [Fact]
    public async Task GetAsync_NonProblemErrorBody_CodeFromStatus()
    {
        using var server = CannedServer.Always(502, "<html>bad gateway</html>", "text/html");
        using var client = Client(server, maxRetries: 0);

        var e = await Assert.ThrowsAsync<ProvenanceServerException>(() => client.Asset("a1").GetAsync());

        Assert.Equal("server-error", e.Code);
        Assert.Equal(502, e.Status);
    }

    [Fact]
    public async Task GetAsync_TwoServerErrorsThenOk_RetriedAndSucceeds()
    {
        using var server = new CannedServer((_, n) => n <= 2 ? new CannedResponse(503, CannedServer.Problem(503, "unavailable", "Down"), "application/problem+json") : new CannedResponse(200, AssetJson));
        using var client = Client(server);

        var asset = await client.Asset("a1").GetAsync();

        Assert.Equal("a1", asset.AssetId);
        Assert.Equal(Relationship.ComponentOf, asset.Parents[0].Relationship);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_AlwaysServerError_GivesUpAfterMaxRetries()
    {
        using var server = CannedServer.Always(500, CannedServer.Problem(500, "internal", "Boom"));
        using var client = Client(server, maxRetries: 2);

        await Assert.ThrowsAsync<ProvenanceServerException>(() => client.Asset("a1").GetAsync());

        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task RegisterAsync_ServerError_NotRetried()
    {
        using var server = CannedServer.Always(503, CannedServer.Problem(503, "unavailable", "Down"));
        using var client = Client(server, maxRetries: 5);

        await Assert.ThrowsAsync<ProvenanceServerException>(() => client.Assets.RegisterAsync(new RegisterAssetRequest(null, "sha256:00", "image/png")));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RevokeApiKeyAsync_ServerErrorThenNoContent_DeleteRetried()
    {
        using var server = new CannedServer((_, n) => n == 1 ? new CannedResponse(503, "{}", "application/problem+json") : new CannedResponse(204, ""));
        using var client = Client(server);

        await client.Admin.RevokeApiKeyAsync("k1");

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("DELETE", r.Method));
    }

    [Fact]
    public async Task GetAsync_ClientErrorStatus_NotRetried()
    {
        using var server = CannedServer.Always(404, CannedServer.Problem(404, "not-found", "Not found"));
        using var client = Client(server);

        await Assert.ThrowsAsync<ProvenanceNotFoundException>(() => client.Asset("a1").GetAsync());

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetAsync_NothingListening_TransportError()
    {
        using var client = new ProvenanceClient(new ProvenanceClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{CannedServer.FreePort()}"), MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

        var e = await Assert.ThrowsAsync<ProvenanceTransportException>(() => client.Asset("a1").GetAsync());

        Assert.Equal(ProvenanceTransportException.TransportCode, e.Code);
    }

    [Fact]
    public async Task GetAsync_SlowerThanTimeout_TimeoutError()
    {
        using var server = new CannedServer((_, _) => new CannedResponse(200, AssetJson, Delay: TimeSpan.FromSeconds(5)));
        using var client = Client(server, maxRetries: 0, timeout: TimeSpan.FromMilliseconds(200));

        var e = await Assert.ThrowsAsync<ProvenanceTransportException>(() => client.Asset("a1").GetAsync());

        Assert.Equal(ProvenanceTransportException.TimeoutCode, e.Code);
    }

    [Fact]
    public async Task GetAsync_CallerCancels_OperationCanceled()
    {
        using var server = new CannedServer((_, _) => new CannedResponse(200, AssetJson, Delay: TimeSpan.FromSeconds(5)));
        using var client = Client(server);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Asset("a1").GetAsync(cancel.Token));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RegisterAsync_Request_SendsBearerKeyAndApiJson()
    {
        using var server = CannedServer.Always(201, AssetJson, "application/json");
        using var client = Client(server);

        await client.Assets.RegisterAsync(new RegisterAssetRequest(null, "sha256:00", "image/png", Parents: [new ParentClaim("p1", Relationship.InputTo)]));

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/assets", request.PathAndQuery);
        Assert.Equal("Bearer secret-key", request.Authorization);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("inputTo", body.RootElement.GetProperty("parents")[0].GetProperty("relationship").GetString());
        Assert.Equal("generated", body.RootElement.GetProperty("status").GetString());
        Assert.False(body.RootElement.TryGetProperty("assetId", out _));
    }

    [Fact]
    public async Task MeAsync_Answer_ParsedIntoCallerWithScopes()
    {
        using var server = CannedServer.Always(200, """{"keyId":"k7","tenant":"studio","scopes":["anchor","read"]}""", "application/json");
        using var client = Client(server);

        var me = await client.MeAsync();

        Assert.Equal("/v1/me", Assert.Single(server.Requests).PathAndQuery);
        Assert.Equal(("k7", "studio"), (me.KeyId, me.Tenant));
        Assert.Equal(["anchor", "read"], me.Scopes);
    }

    [Fact]
    public async Task AncestorsAsync_Parameters_EscapedIntoQuery()
    {
        using var server = CannedServer.Always(200, """{"assetId":"a/1","direction":"ancestors","maxDepth":3,"nodes":[]}""", "application/json");
        using var client = Client(server);

        await client.Asset("a/1").AncestorsAsync(depth: 3, limit: 50, cursor: "c+1");

        Assert.Equal("/v1/assets/a%2F1/ancestors?depth=3&limit=50&cursor=c%2B1", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task UploadAsync_File_MultipartClaimsWithoutContentHashThenFile()
    {
        using var server = CannedServer.Always(201, AssetJson, "application/json");
        using var client = Client(server);
        using var file = new MemoryStream("pixels"u8.ToArray());

        await client.Assets.UploadAsync(file, new RegisterAssetRequest("a1", "ignored", "image/png", Title: "T"), "a.png");

        var request = Assert.Single(server.Requests);
        Assert.StartsWith("multipart/form-data", request.ContentType, StringComparison.Ordinal);
        var claims = request.Body.IndexOf("name=claims", StringComparison.Ordinal);
        var filePart = request.Body.IndexOf("name=file", StringComparison.Ordinal);
        Assert.True(claims >= 0 && filePart > claims, request.Body);
        Assert.DoesNotContain("contentHash", request.Body, StringComparison.Ordinal);
        Assert.Contains("pixels", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForEpochCoveringAsync_NotYetThenProof_ReturnsProof()
    {
        const string proof = """{"assetId":"a1","epoch":2,"leafIndex":0,"treeSize":1,"leafHash":"AA==","proof":[],"rootHash":"AA=="}""";
        using var server = new CannedServer((request, _) => request.PathAndQuery.StartsWith("/v1/proofs/inclusion", StringComparison.Ordinal)
            ? (request.Method == "GET" && Interlocked.Increment(ref _inclusionCalls) <= 2
                ? new CannedResponse(404, CannedServer.Problem(404, "not-found", "Not in an epoch"), "application/problem+json")
                : new CannedResponse(200, proof))
            : new CannedResponse(200, AssetJson));
        using var client = Client(server);

        var result = await client.Anchor.WaitForEpochCoveringAsync("a1", TimeSpan.FromSeconds(10));

        Assert.Equal(2, result.Epoch);
        Assert.Equal("/v1/assets/a1", server.Requests.First().PathAndQuery);
        Assert.Equal("/v1/proofs/inclusion?assetId=a1", server.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task WaitForEpochCoveringAsync_NeverCovered_TimeoutException()
    {
        using var server = new CannedServer((request, _) => request.PathAndQuery.StartsWith("/v1/proofs/inclusion", StringComparison.Ordinal)
            ? new CannedResponse(404, CannedServer.Problem(404, "not-found", "Not in an epoch"), "application/problem+json")
            : new CannedResponse(200, AssetJson));
        using var client = Client(server);

        await Assert.ThrowsAsync<TimeoutException>(() => client.Anchor.WaitForEpochCoveringAsync("a1", TimeSpan.FromMilliseconds(300)));
    }

    private int _inclusionCalls;

    [Fact]
    public async Task Constructor_CallerHttpClient_UsesItsBaseAddressAndLeavesItUsable()
    {
        using var server = CannedServer.Always(200, AssetJson, "application/json");
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddress, "/") };

        using (var client = new ProvenanceClient(http, new ProvenanceClientOptions { ApiKey = "k" }))
        {
            await client.Asset("a1").GetAsync();
        }

        using var after = await http.GetAsync("v1/assets/a1");
        Assert.True(after.IsSuccessStatusCode);
        Assert.Equal("Bearer k", server.Requests.First().Authorization);
    }

    [Fact]
    public void Constructor_NoBaseAddress_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new ProvenanceClient(new ProvenanceClientOptions()));
    }

    [Fact]
    public void ApiJson_Serialize_CamelCaseEnumsAndNoNulls()
    {
        var json = JsonSerializer.Serialize(new ParentClaim("p1", Relationship.ComponentOf), ApiJson.Options);
        var request = JsonSerializer.Serialize(new VerifyRequest(AssetId: "a1"), ApiJson.Options);

        Assert.Equal("""{"assetId":"p1","relationship":"componentOf"}""", json);
        Assert.Equal("""{"assetId":"a1"}""", request);
    }

    [Theory]
    [InlineData("https://provenance.dev/problems/lineage-cycle", "lineage-cycle")]
    [InlineData("https://provenance.dev/problems/not-found/", "not-found")]
    [InlineData("about:blank", null)]
    [InlineData(null, null)]
    public void CodeFromType_TypeUri_LastSegment(string? type, string? code)
    {
        Assert.Equal(code, ProvenanceApiException.CodeFromType(type));
    }
}
