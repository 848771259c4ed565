using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Core.Evidence;

namespace Provenance.Server.Tests.Apis;

public sealed class EpochsVerifyApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private static string Hash(string content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private async Task<HttpClient> ClientAsync(string tenant) => Server.Client((await Server.CreateKeyAsync(tenant, Scopes.All.ToArray())).Secret);

    private static async Task<AssetDto> RegisterAsync(HttpClient client, string content, params ParentClaim[] parents)
    {
        var response = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, Hash(content), "image/png", Parents: parents), ApiJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
    }

    [Fact]
    public async Task TriggerThenProofsVerifyAndEvidence_AllAgree()
    {
        using var client = await ClientAsync("epochs-a");
        var parent = await RegisterAsync(client, "epoch parent " + Guid.NewGuid());
        var child = await RegisterAsync(client, "epoch child " + Guid.NewGuid(), new ParentClaim(parent.AssetId));

        var pendingVerify = await client.PostAsJsonAsync("v1/verify", new VerifyRequest(child.AssetId), ApiJson.Options);
        var first = await client.PostAsync("v1/epochs/trigger", null);
        var trigger = (await first.Content.ReadFromJsonAsync<TriggerResultDto>(ApiJson.Options))!;
        var more = await RegisterAsync(client, "after first epoch " + Guid.NewGuid());
        var second = (await (await client.PostAsync("v1/epochs/trigger", null)).Content.ReadFromJsonAsync<TriggerResultDto>(ApiJson.Options))!;

        Assert.Equal("partially-verified", (await pendingVerify.Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!.Verdict);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(second.Epoch > trigger.Epoch);
        var epochs = await client.GetFromJsonAsync<EpochDto[]>("v1/epochs?limit=10", ApiJson.Options);
        Assert.Equal(second.Epoch, epochs![0].Epoch);
        var one = await client.GetFromJsonAsync<EpochDto>($"v1/epochs/{trigger.Epoch}", ApiJson.Options);
        Assert.Equal(trigger.EpochInfo.Checkpoint.RootHash, one!.Checkpoint.RootHash);
        var status = await client.GetFromJsonAsync<AnchorStatusDto>("v1/anchor/status", ApiJson.Options);
        Assert.Equal(second.Epoch, status!.LastEpoch);

        var inclusion = await client.GetFromJsonAsync<InclusionProofDto>($"v1/proofs/inclusion?assetId={child.AssetId}", ApiJson.Options);
        Assert.Equal(child.AssetId, inclusion!.AssetId);
        var consistency = await client.GetFromJsonAsync<ConsistencyProofDto>($"v1/proofs/consistency?from={trigger.Epoch}&to={second.Epoch}", ApiJson.Options);
        Assert.Equal(trigger.EpochInfo.Checkpoint.TreeSize, consistency!.Size1);

        await WaitForTimestampAsync(client, second.Epoch);
        var verified = (await (await client.PostAsJsonAsync("v1/verify", new VerifyRequest(child.AssetId), ApiJson.Options)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
        Assert.True(verified.Verdict == "verified", string.Join("; ", verified.Checks.Select(c => $"{c.Name}={c.Outcome}: {c.Detail}")));
        Assert.Contains(verified.Checks, c => c.Name == "timestamp:builtin" && c.Outcome == CheckOutcome.Pass);
        Assert.Equal(CheckOutcome.Pass, verified.Checks.Single(c => c.Name == "hash").Outcome);
        var byHash = (await (await client.PostAsJsonAsync("v1/verify", new VerifyRequest(ContentHash: more.ContentHash), ApiJson.Options)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
        Assert.Equal(more.AssetId, byHash.AssetId);
        Assert.Equal(CheckOutcome.Pass, byHash.Checks.Single(c => c.Name == "hash").Outcome);

        var zip = await client.GetAsync($"v1/assets/{child.AssetId}/evidence");
        Assert.Equal("application/zip", zip.Content.Headers.ContentType!.MediaType);
        var bytes = await zip.Content.ReadAsByteArrayAsync();
        using var archive = new ZipArchive(new MemoryStream(bytes));
        Assert.Contains(archive.Entries, e => e.FullName == "bundle.json");
        var read = EvidenceBundleReader.Read(bytes);
        Assert.Equal(child.AssetId, read.Bundle.AssetId);
        Assert.Contains(read.Bundle.Lineage.Nodes, n => n.AssetId == parent.AssetId);
        Assert.NotNull(read.Bundle.Checkpoint);
    }

    private static async Task WaitForTimestampAsync(HttpClient client, long epoch)
    {
        for (var i = 0; i < 200; i++)
        {
            var e = await client.GetFromJsonAsync<EpochDto>($"v1/epochs/{epoch}", ApiJson.Options);
            if (e!.Timestamps.All(t => t.State == TimestampState.Granted))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("epoch was not timestamped");
    }

    [Fact]
    public async Task Trigger_SendsEpochSealedAndTimestampedWebhooks_AndMetricsShowTheLog()
    {
        await using var receiver = new Webhooks.WebhookReceiver();
        using var client = await ClientAsync("epoch-hooks");
        var hook = await client.PostAsJsonAsync("v1/webhooks", new CreateWebhookRequest(receiver.Url, ["epoch.sealed", "epoch.timestamped"]), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        await RegisterAsync(client, "epoch hook " + Guid.NewGuid());

        var trigger = (await (await client.PostAsync("v1/epochs/trigger", null)).Content.ReadFromJsonAsync<TriggerResultDto>(ApiJson.Options))!;
        var delivered = await receiver.WaitForDeliveredAsync(2);

        var types = delivered.Select(d => System.Text.Json.JsonDocument.Parse(d.Body).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Contains("epoch.sealed", types);
        Assert.Contains("epoch.timestamped", types);
        Assert.All(delivered, d => Assert.Contains(trigger.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Body, StringComparison.Ordinal));
        var metrics = await Server.Client().GetStringAsync("metrics");
        Assert.Matches(@"provenance_log_size(\{\})? [1-9]", metrics);
        Assert.Matches(@"provenance_epoch_latest(\{\})? [1-9]", metrics);
        Assert.Contains("provenance_actors_calls_total{grain_type=\"anchor\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyByFile_MatchesRegisteredBytes_AndUnknownBytesFail()
    {
        using var client = await ClientAsync("verify-file");
        var content = "file to verify " + Guid.NewGuid();
        var asset = await RegisterAsync(client, content);

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", "f.bin" } };
        var result = (await (await client.PostAsync("v1/verify", form)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
        using var unknown = new MultipartFormDataContent { { new ByteArrayContent([9, 9, 9]), "file", "f.bin" } };
        var failed = (await (await client.PostAsync("v1/verify", unknown)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;

        Assert.Equal(asset.AssetId, result.AssetId);
        Assert.Equal(CheckOutcome.Pass, result.Checks.Single(c => c.Name == "hash").Outcome);
        Assert.Equal(CheckOutcome.Pass, result.Checks.Single(c => c.Name == "signature").Outcome);
        Assert.Equal("failed", failed.Verdict);
    }

    [Fact]
    public async Task OtherTenant_CannotProveVerifyOrExportAnotherTenantsAsset()
    {
        using var owner = await ClientAsync("ev-owner");
        using var other = await ClientAsync("ev-other");
        var asset = await RegisterAsync(owner, "private " + Guid.NewGuid());

        await Problem.AssertAsync(await other.GetAsync($"v1/proofs/inclusion?assetId={asset.AssetId}"), 404, "not-found");
        await Problem.AssertAsync(await other.GetAsync($"v1/assets/{asset.AssetId}/evidence"), 404, "not-found");
        await Problem.AssertAsync(await other.PostAsJsonAsync("v1/verify", new VerifyRequest(asset.AssetId), ApiJson.Options), 404, "not-found");
        var byHash = (await (await other.PostAsJsonAsync("v1/verify", new VerifyRequest(ContentHash: asset.ContentHash), ApiJson.Options)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
        Assert.Equal("failed", byHash.Verdict);
        Assert.Null(byHash.AssetId);
    }

    [Theory]
    [InlineData("GET", "v1/epochs/0", null, 400, "validation-failed", "n")]
    [InlineData("GET", "v1/epochs/999999", null, 404, "not-found", null)]
    [InlineData("GET", "v1/epochs?limit=0", null, 400, "validation-failed", "limit")]
    [InlineData("GET", "v1/epochs?before=abc", null, 400, "validation-failed", "before")]
    [InlineData("GET", "v1/proofs/inclusion", null, 400, "validation-failed", "assetId")]
    [InlineData("GET", "v1/proofs/inclusion?assetId=bad%20id", null, 400, "validation-failed", "assetId")]
    [InlineData("GET", "v1/proofs/consistency?from=1", null, 400, "validation-failed", "to")]
    [InlineData("GET", "v1/proofs/consistency?from=0&to=1", null, 400, "validation-failed", "from")]
    [InlineData("POST", "v1/verify", "{}", 400, "validation-failed", "assetId")]
    [InlineData("POST", "v1/verify", """{"assetId":"a","contentHash":"sha256:00"}""", 400, "validation-failed", "contentHash")]
    [InlineData("POST", "v1/verify", """{"contentHash":"sha256:zz"}""", 400, "validation-failed", "contentHash")]
    [InlineData("POST", "v1/verify", """{"assetId":5}""", 400, "invalid-json", "assetId")]
    [InlineData("POST", "v1/verify", """{"assetId":""", 400, "invalid-json", null)]
    [InlineData("GET", "v1/assets/bad%20id/evidence", null, 400, "validation-failed", "id")]
    public async Task BadInput_IsProblem(string method, string path, string? body, int status, string code, string? field)
    {
        using var client = await ClientAsync("ev-bad-" + Guid.NewGuid().ToString("N")[..6]);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Problem.Json(body) };

        await Problem.AssertAsync(await client.SendAsync(request), status, code, field);
    }
}
