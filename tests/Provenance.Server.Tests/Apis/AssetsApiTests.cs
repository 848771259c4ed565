using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Server.Tests.Apis;

public sealed class AssetsApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private static string Hash(string content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<HttpClient> TenantAsync(string tenant, params string[] scopes)
    {
        var key = await Server.CreateKeyAsync(tenant, scopes.Length == 0 ? [Scopes.Register, Scopes.Read, Scopes.Admin] : scopes);
        return Server.Client(key.Secret);
    }

    private static async Task<AssetDto> RegisterAsync(HttpClient client, string id, string content, params ParentClaim[] parents)
    {
        var response = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(id, Hash(content), "image/png", Title: "title " + id, Tags: ["cat"], Parents: parents, Model: "model-x"), ApiJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal($"/v1/assets/{id}", response.Headers.Location!.OriginalString);
        return (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
    }

    [Fact]
    public async Task Register_ThenEveryReadRoute_AnswersForTheOwner()
    {
        using var client = await TenantAsync("assets-a");
        var parentId = NewId("p");
        var childId = NewId("c");
        var parent = await RegisterAsync(client, parentId, "parent bytes");
        var child = await RegisterAsync(client, childId, "child bytes", new ParentClaim(parentId));

        var got = await client.GetFromJsonAsync<AssetDto>($"v1/assets/{childId}", ApiJson.Options);
        var gotParent = await client.GetFromJsonAsync<AssetDto>($"v1/assets/{parentId}", ApiJson.Options);
        var manifest = await client.GetFromJsonAsync<SignedManifestDto>($"v1/assets/{childId}/manifest", ApiJson.Options);
        var audit = await client.GetFromJsonAsync<AuditRecordDto[]>($"v1/assets/{childId}/audit", ApiJson.Options);
        var ancestors = await client.GetFromJsonAsync<LineagePage>($"v1/assets/{childId}/ancestors?depth=5&limit=10", ApiJson.Options);
        var descendants = await client.GetFromJsonAsync<LineagePage>($"v1/assets/{parentId}/descendants", ApiJson.Options);
        var roots = await client.GetFromJsonAsync<LineageNodeDto[]>($"v1/assets/{childId}/roots", ApiJson.Options);
        var path = await client.GetFromJsonAsync<LineagePathDto>($"v1/lineage/path?from={childId}&to={parentId}", ApiJson.Options);

        Assert.Equal("assets-a", parent.Tenant);
        Assert.Equal(Hash("child bytes"), got!.ContentHash);
        Assert.Equal(parentId, Assert.Single(got.Parents).AssetId);
        Assert.Equal((0L, 1L), (got.ChildCount, gotParent!.ChildCount));
        Assert.Null(child.ChildCount); // answers to writes do not count children
        Assert.Equal(child.ManifestHash, manifest!.ManifestHash);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(manifest.CanonicalBase64))), manifest.ManifestHash);
        Assert.NotEmpty(audit!);
        Assert.Equal(parentId, Assert.Single(ancestors!.Nodes).AssetId);
        Assert.Equal(childId, Assert.Single(descendants!.Nodes).AssetId);
        Assert.Equal(parentId, Assert.Single(roots!).AssetId);
        Assert.True(path!.Found);
        Assert.Equal([childId, parentId], path.Path.Select(n => n.AssetId));
    }

    [Fact]
    public async Task LifecycleRoutes_ChangeTheAsset()
    {
        using var client = await TenantAsync("assets-b");
        var id = NewId("l");
        await RegisterAsync(client, id, "lifecycle bytes");

        var moderated = await client.PostAsJsonAsync($"v1/assets/{id}/moderation", new ModerationRequest("allowed", ["nsfw"], new Dictionary<string, double> { ["nsfw"] = 0.01 }), ApiJson.Options);
        var restricted = await client.PostAsJsonAsync($"v1/assets/{id}/restrictions", new RestrictionRequest("no-commercial-use", "licence"), ApiJson.Options);
        var approved = await client.PostAsJsonAsync($"v1/assets/{id}/approvals", new ApprovalRequest("publication", "ok"), ApiJson.Options);
        var published = await client.PostAsJsonAsync($"v1/assets/{id}/status", new TransitionRequest(LifecycleStatus.Published), ApiJson.Options);
        var final = await client.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options);

        Assert.Equal(HttpStatusCode.OK, moderated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restricted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(LifecycleStatus.Published, final!.Status);
        Assert.Contains("no-commercial-use", final.Restrictions);
        Assert.Single(final.Moderation);
        Assert.Single(final.Approvals);
        Assert.Contains("\"published\"", await published.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherTenant_GetsNotFoundOnEveryAssetRoute_AndChangesNothing()
    {
        using var owner = await TenantAsync("iso-owner");
        using var other = await TenantAsync("iso-other");
        var id = NewId("iso");
        var asset = await RegisterAsync(owner, id, "isolated bytes");
        var otherOwn = NewId("own");
        await RegisterAsync(other, otherOwn, "other bytes");

        string[] gets = [$"v1/assets/{id}", $"v1/assets/{id}/manifest", $"v1/assets/{id}/audit", $"v1/assets/{id}/ancestors", $"v1/assets/{id}/descendants", $"v1/assets/{id}/roots", $"v1/lineage/path?from={id}&to={id}"];
        foreach (var path in gets)
        {
            await Problem.AssertAsync(await other.GetAsync(path), 404, "not-found");
        }

        (string Path, object Body)[] posts =
        [
            ($"v1/assets/{id}/status", new TransitionRequest(LifecycleStatus.Revoked, "x")),
            ($"v1/assets/{id}/moderation", new ModerationRequest("blocked")),
            ($"v1/assets/{id}/approvals", new ApprovalRequest("publication")),
            ($"v1/assets/{id}/restrictions", new RestrictionRequest("blocked")),
            ($"v1/assets/{id}/parents", new AddParentRequest(otherOwn)),
        ];
        foreach (var (path, body) in posts)
        {
            await Problem.AssertAsync(await other.PostAsJsonAsync(path, body, ApiJson.Options), 404, "not-found");
        }

        var after = await owner.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options);
        Assert.Equal(asset.ManifestHash, after!.ManifestHash);
        Assert.Equal(asset.Status, after.Status);
        Assert.Empty(after.Restrictions);
    }

    [Fact]
    public async Task CrossTenantAncestor_TrustedParent_IsRedactedInLineage()
    {
        using var a = await TenantAsync("xt-a");
        using var b = await TenantAsync("xt-b");
        var parentId = NewId("xtp");
        await RegisterAsync(a, parentId, "a's parent");
        var policy = await a.PutAsJsonAsync("v1/admin/tenant-policy", new TenantPolicyDto(TrustedTenants: ["xt-b"]), ApiJson.Options);
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var childId = NewId("xtc");
        var child = await RegisterAsync(b, childId, "b's child", new ParentClaim(parentId));

        var ancestors = await b.GetFromJsonAsync<LineagePage>($"v1/assets/{childId}/ancestors", ApiJson.Options);

        var node = Assert.Single(ancestors!.Nodes);
        Assert.True(node.Redacted);
        Assert.Equal(Hash("a's parent"), node.ContentHash);
        Assert.Null(node.Title);
        Assert.True(Assert.Single(child.Parents).Redacted);
        await Problem.AssertAsync(await b.GetAsync($"v1/assets/{parentId}"), 404, "not-found");
    }

    [Fact]
    public async Task CrossTenantParent_Untrusted_Is403AndWritesNothing()
    {
        using var a = await TenantAsync("xu-a");
        using var b = await TenantAsync("xu-b");
        var parentId = NewId("xup");
        await RegisterAsync(a, parentId, "untrusting parent");
        var childId = NewId("xuc");

        var response = await b.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(childId, Hash("x"), "image/png", Parents: [new ParentClaim(parentId)]), ApiJson.Options);

        await Problem.AssertAsync(response, 403, "cross-tenant-parent", "parents[0].assetId");
        await Problem.AssertAsync(await b.GetAsync($"v1/assets/{childId}"), 404, "not-found");
    }

    [Theory]
    [InlineData("""{"contentHash":"sha256:abc","mediaType":"image/png"}""", "validation-failed", "contentHash")]
    [InlineData("""{"contentHash":"md5:00","mediaType":"image/png"}""", "validation-failed", "contentHash")]
    [InlineData("""{"mediaType":"image/png"}""", "validation-failed", "contentHash")]
    [InlineData("""{"contentHash":null,"mediaType":"image/png"}""", "invalid-json", "contentHash")]
    [InlineData("""{"contentHash":7,"mediaType":"image/png"}""", "invalid-json", "contentHash")]
    [InlineData("""{"contentHash":"HASH","mediaType":"image/png","status":"bogus"}""", "invalid-json", "status")]
    [InlineData("""{"contentHash":"HASH","mediaType":"image/png","tags":"cat"}""", "invalid-json", "tags")]
    [InlineData("""{"contentHash":"HASH","mediaType":"image/png","parents":[{"assetId":"UNKNOWN"}]}""", "unknown-parent", "parents[0].assetId")]
    [InlineData("""{"contentHash":"HASH","mediaType":"image/png","assetId":"bad id!"}""", "validation-failed", "assetId")]
    [InlineData("""{"contentHash":"HASH","mediaType":"image/png",""", "invalid-json", null)]
    public async Task Register_BadInput_Is400AndWritesNothing(string json, string code, string? field)
    {
        using var client = await TenantAsync("bad-" + Guid.NewGuid().ToString("N")[..6]);
        var id = NewId("bad");
        json = json.Replace("HASH", Hash(id), StringComparison.Ordinal).Replace("UNKNOWN", NewId("nope"), StringComparison.Ordinal);
        if (!json.Contains("assetId\":\"bad id", StringComparison.Ordinal))
        {
            json = json.Insert(1, $"\"assetId\":\"{id}\",");
        }

        var response = await client.PostAsync("v1/assets", Problem.Json(json));

        await Problem.AssertAsync(response, 400, code, field);
        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{id}"), 404, "not-found");
        var search = await client.GetFromJsonAsync<SearchResultDto>($"v1/search?hash={Uri.EscapeDataString(Hash(id))}", ApiJson.Options);
        Assert.Empty(search!.Items);
    }

    [Fact]
    public async Task Register_RetriedWithSameClaims_SameAnswerNotConflict()
    {
        using var client = await TenantAsync("retry");
        var id = NewId("retry");
        var request = new RegisterAssetRequest(id, Hash("retried"), "image/png", Title: "retried");
        using var first = await client.PostAsJsonAsync("v1/assets", request, ApiJson.Options);

        using var retry = await client.PostAsJsonAsync("v1/assets", request, ApiJson.Options);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
        var b = (await retry.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
        Assert.Equal((a.ManifestHash, a.CreatedAt, a.ContentHash), (b.ManifestHash, b.CreatedAt, b.ContentHash));
    }

    [Fact]
    public async Task Register_DuplicateId_Is409AndKeepsTheFirst()
    {
        using var client = await TenantAsync("dup");
        var id = NewId("dup");
        var first = await RegisterAsync(client, id, "first");

        var second = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(id, Hash("second"), "image/png"), ApiJson.Options);

        await Problem.AssertAsync(second, 409, "asset-exists", "assetId");
        Assert.Equal(first.ContentHash, (await client.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options))!.ContentHash);
    }

    [Fact]
    public async Task ChangeRoutes_BadInput_Are4xxAndChangeNothing()
    {
        using var client = await TenantAsync("chg");
        var id = NewId("chg");
        var child = NewId("chgc");
        var before = await RegisterAsync(client, id, "change me");
        await RegisterAsync(client, child, "child of change me", new ParentClaim(id));

        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/status", Problem.Json("""{"status":"requested"}""")), 409, "illegal-transition", "status");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/status", Problem.Json("""{"status":5}""")), 400, "invalid-json", "status");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/parents", Problem.Json($$"""{"parentId":"{{child}}"}""")), 400, "lineage-cycle", "parentId");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/parents", Problem.Json("""{"parentId":"nope-nope-nope"}""")), 400, "unknown-parent");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/moderation", Problem.Json("""{"decision":"maybe"}""")), 400, "validation-failed", "decision");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/restrictions", Problem.Json("""{"restriction":"Not Kebab"}""")), 400, "validation-failed", "restriction");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/approvals", Problem.Json("""{"scope":"x","lifts":["no-such"]}""")), 400, "validation-failed", "lifts[0]");
        await Problem.AssertAsync(await client.PostAsync($"v1/assets/{id}/approvals", Problem.Json("""{"scope":""")), 400, "invalid-json");
        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{id}/ancestors?depth=0"), 400, "validation-failed", "depth");
        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{id}/ancestors?limit=5000"), 400, "validation-failed", "limit");
        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{id}/descendants?depth=abc"), 400, "validation-failed", "depth");
        await Problem.AssertAsync(await client.GetAsync("v1/assets/bad%20id!"), 400, "validation-failed", "id");
        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{NewId("unknown")}"), 404, "not-found");
        await Problem.AssertAsync(await client.GetAsync($"v1/lineage/path?from={id}"), 400, "validation-failed", "to");

        var after = await client.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options);
        Assert.Equal(before.ManifestHash, after!.ManifestHash);
        Assert.Equal(before.Status, after.Status);
        Assert.Empty(after.Parents);
        Assert.Empty(after.Moderation);
        Assert.Empty(after.Restrictions);
        Assert.Empty(after.Approvals);
    }

    [Fact]
    public async Task Upload_StreamsAndHashes_RegistersWithComputedHash()
    {
        using var client = await TenantAsync("upload");
        var id = NewId("up");
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent($$"""{"assetId":"{{id}}","mediaType":"application/octet-stream","title":"uploaded"}""", Encoding.UTF8, "application/json"), "claims");
        form.Add(new ByteArrayContent(bytes), "file", "blob.bin");

        var response = await client.PostAsync("v1/assets/upload", form);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var asset = (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), asset.ContentHash);
        Assert.False(Directory.Exists(Path.Combine(Server.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Upload_BadInput_Is4xxAndWritesNothing()
    {
        using var client = await TenantAsync("upload-bad");
        var id = NewId("upb");

        using var noFile = new MultipartFormDataContent { { new StringContent($$"""{"assetId":"{{id}}","mediaType":"image/png"}"""), "claims" } };
        await Problem.AssertAsync(await client.PostAsync("v1/assets/upload", noFile), 400, "validation-failed", "file");
        using var fileFirst = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "f" } };
        await Problem.AssertAsync(await client.PostAsync("v1/assets/upload", fileFirst), 400, "validation-failed", "claims");
        using var withHash = new MultipartFormDataContent { { new StringContent($$"""{"assetId":"{{id}}","mediaType":"image/png","contentHash":"{{Hash("x")}}"}"""), "claims" }, { new ByteArrayContent([1]), "file", "f" } };
        await Problem.AssertAsync(await client.PostAsync("v1/assets/upload", withHash), 400, "validation-failed", "claims.contentHash");
        using var badJson = new MultipartFormDataContent { { new StringContent("{"), "claims" }, { new ByteArrayContent([1]), "file", "f" } };
        await Problem.AssertAsync(await client.PostAsync("v1/assets/upload", badJson), 400, "invalid-json");
        await Problem.AssertAsync(await client.PostAsync("v1/assets/upload", Problem.Json("{}")), 415, "unsupported-media-type");
        using var tooBig = new MultipartFormDataContent { { new StringContent($$"""{"assetId":"{{id}}","mediaType":"image/png"}"""), "claims" }, { new ByteArrayContent(new byte[5 << 20]), "file", "f" } };
        using var tooBigRequest = new HttpRequestMessage(HttpMethod.Post, "v1/assets/upload") { Content = tooBig };
        tooBigRequest.Headers.ExpectContinue = true; // the server answers 413 before the body is sent
        await Problem.AssertAsync(await client.SendAsync(tooBigRequest), 413, "payload-too-large");

        await Problem.AssertAsync(await client.GetAsync($"v1/assets/{id}"), 404, "not-found");
    }

    [Fact]
    public async Task Search_ByMultiWordModel_FindsExactModelOnly()
    {
        using var a = await TenantAsync("search-model");
        var xl = NewId("xl");
        var plain = NewId("plain");
        (await a.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(xl, Hash("xl bytes"), "image/png", Model: "imagegen-xl"), ApiJson.Options)).EnsureSuccessStatusCode();
        (await a.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(plain, Hash("plain bytes"), "image/png", Model: "imagegen"), ApiJson.Options)).EnsureSuccessStatusCode();

        var byXl = await a.GetFromJsonAsync<SearchResultDto>("v1/search?model=imagegen-xl", ApiJson.Options);
        var byPlain = await a.GetFromJsonAsync<SearchResultDto>("v1/search?model=imagegen", ApiJson.Options);

        Assert.Equal(xl, Assert.Single(byXl!.Items).AssetId);
        Assert.Equal(plain, Assert.Single(byPlain!.Items).AssetId);
    }

    [Fact]
    public async Task Search_ByHashWordAndModel_FindsOwnAndRedactsOthers()
    {
        using var a = await TenantAsync("search-a");
        using var b = await TenantAsync("search-b");
        var id = NewId("s");
        await RegisterAsync(a, id, "searchable bytes");

        var byHash = await a.GetFromJsonAsync<SearchResultDto>($"v1/search?hash={Uri.EscapeDataString(Hash("searchable bytes"))}", ApiJson.Options);
        var byWord = await a.GetFromJsonAsync<SearchResultDto>("v1/search?q=cat", ApiJson.Options);
        var byModel = await a.GetFromJsonAsync<SearchResultDto>("v1/search?model=model-x", ApiJson.Options);
        var otherByHash = await b.GetFromJsonAsync<SearchResultDto>($"v1/search?hash={Uri.EscapeDataString(Hash("searchable bytes"))}", ApiJson.Options);
        var otherByWord = await b.GetFromJsonAsync<SearchResultDto>("v1/search?q=cat", ApiJson.Options);

        Assert.Equal(id, Assert.Single(byHash!.Items).AssetId);
        Assert.Contains(byWord!.Items, n => n.AssetId == id);
        Assert.Contains(byModel!.Items, n => n.AssetId == id);
        Assert.True(Assert.Single(otherByHash!.Items).Redacted);
        Assert.DoesNotContain(otherByWord!.Items, n => n.AssetId == id);
        await Problem.AssertAsync(await a.GetAsync("v1/search"), 400, "validation-failed", "q");
        await Problem.AssertAsync(await a.GetAsync("v1/search?q=cat&hash=x"), 400, "validation-failed", "hash");
        await Problem.AssertAsync(await a.GetAsync("v1/search?hash=sha256:zz"), 400, "validation-failed");
        await Problem.AssertAsync(await a.GetAsync("v1/search?q=cat&limit=0"), 400, "validation-failed", "limit");
    }

    [Fact]
    public async Task Registration_QueuesAssetRegisteredWebhookAndCountsMetric()
    {
        await using var receiver = new Webhooks.WebhookReceiver();
        using var client = await TenantAsync("reg-hook");
        var hook = await client.PostAsJsonAsync("v1/webhooks", new CreateWebhookRequest(receiver.Url, ["asset.registered"]), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        var id = NewId("rh");

        await RegisterAsync(client, id, "webhook me");

        var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(1));
        var body = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("asset.registered", body.GetProperty("type").GetString());
        Assert.Equal("reg-hook", body.GetProperty("tenant").GetString());
        Assert.Contains(id, delivered.Body, StringComparison.Ordinal);
        Assert.Matches(@"provenance_registrations_total(\{\})? [1-9]", await Server.Client().GetStringAsync("metrics"));
    }
}
