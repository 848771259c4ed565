using System.Net;
using System.Net.Http.Json;
using Provenance.Core.Contracts;

namespace Provenance.Server.Tests.Apis;

public sealed class PromptsApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<HttpClient> ClientAsync(string tenant) => Server.Client((await Server.CreateKeyAsync(tenant, Scopes.All.ToArray())).Secret);

    [Fact]
    public async Task VersionLifecycle_CreateApproveDiffDeprecateBlock()
    {
        using var client = await ClientAsync("prompts-a");

        var created = await client.PostAsJsonAsync("v1/prompts/hero/versions", new CreatePromptVersionRequest("1.0.0", "You draw.", "A cat\non a mat"), ApiJson.Options);
        var v2 = await client.PostAsJsonAsync("v1/prompts/hero/versions", new CreatePromptVersionRequest("1.1.0", "You draw.", "A cat\non a hat"), ApiJson.Options);
        var approved = await client.PostAsJsonAsync("v1/prompts/hero/versions/1.0.0/approve", new PromptStatusRequest("ok"), ApiJson.Options);
        var family = await client.GetFromJsonAsync<PromptFamilyDto>("v1/prompts/hero", ApiJson.Options);
        var version = await client.GetFromJsonAsync<PromptVersionDto>("v1/prompts/hero/versions/1.0.0", ApiJson.Options);
        var diff = await client.GetFromJsonAsync<PromptDiffDto>("v1/prompts/hero/diff?from=1.0.0&to=1.1.0", ApiJson.Options);
        var deprecated = await client.PostAsync("v1/prompts/hero/versions/1.0.0/deprecate", null);
        var blocked = await client.PostAsJsonAsync("v1/prompts/hero/versions/1.1.0/block", new PromptStatusRequest("unsafe"), ApiJson.Options);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/prompts/hero/versions/1.0.0", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Created, v2.StatusCode);
        Assert.Equal(PromptStatus.Approved, (await approved.Content.ReadFromJsonAsync<PromptVersionDto>(ApiJson.Options))!.Status);
        Assert.Equal(2, family!.Versions.Count);
        Assert.Equal("A cat\non a mat", version!.UserPrompt);
        Assert.Contains(diff!.Fields, f => f.Field == "userPrompt");
        Assert.Equal(PromptStatus.Deprecated, (await deprecated.Content.ReadFromJsonAsync<PromptVersionDto>(ApiJson.Options))!.Status);
        Assert.Equal(PromptStatus.Blocked, (await blocked.Content.ReadFromJsonAsync<PromptVersionDto>(ApiJson.Options))!.Status);
        var register = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, "sha256:" + new string('a', 64), "image/png", Prompt: new PromptVersionRef("hero", "1.1.0")), ApiJson.Options);
        await Problem.AssertAsync(register, 400, "prompt-version-blocked");
    }

    [Fact]
    public async Task ApprovedVersion_IsImmutable_AndBadInputChangesNothing()
    {
        using var client = await ClientAsync("prompts-b");
        await client.PostAsJsonAsync("v1/prompts/fam/versions", new CreatePromptVersionRequest("1.0.0", null, "original"), ApiJson.Options);
        await client.PostAsync("v1/prompts/fam/versions/1.0.0/approve", null);

        await Problem.AssertAsync(await client.PostAsJsonAsync("v1/prompts/fam/versions", new CreatePromptVersionRequest("1.0.0", null, "changed"), ApiJson.Options), 409, "prompt-version-immutable");
        await Problem.AssertAsync(await client.PostAsync("v1/prompts/fam/versions", Problem.Json("""{"version":"one","userPrompt":"x"}""")), 400, "validation-failed", "version");
        await Problem.AssertAsync(await client.PostAsync("v1/prompts/fam/versions", Problem.Json("""{"version":"2.0.0","userPrompt":5}""")), 400, "invalid-json", "userPrompt");
        await Problem.AssertAsync(await client.PostAsync("v1/prompts/fam/versions", Problem.Json("""{"version":""")), 400, "invalid-json");
        await Problem.AssertAsync(await client.PostAsync("v1/prompts/fam/versions/1.0.0/approve", null), 409, "illegal-transition");
        await Problem.AssertAsync(await client.GetAsync("v1/prompts/fam/versions/9.9.9"), 404, "not-found");
        await Problem.AssertAsync(await client.GetAsync("v1/prompts/fam/versions/one"), 400, "validation-failed", "version");
        await Problem.AssertAsync(await client.PostAsync("v1/prompts/fam/versions/9.9.9/approve", null), 404, "not-found");
        await Problem.AssertAsync(await client.GetAsync("v1/prompts/bad%20family"), 400, "validation-failed", "familyId");
        await Problem.AssertAsync(await client.GetAsync("v1/prompts/fam/diff?from=1.0.0"), 400, "validation-failed", "to");

        var family = await client.GetFromJsonAsync<PromptFamilyDto>("v1/prompts/fam", ApiJson.Options);
        var only = Assert.Single(family!.Versions);
        Assert.Equal("original", only.UserPrompt);
        Assert.Equal(PromptStatus.Approved, only.Status);
    }

    [Fact]
    public async Task OtherTenant_SameFamilyId_IsItsOwnFamily()
    {
        using var a = await ClientAsync("prompts-c");
        using var b = await ClientAsync("prompts-d");
        await a.PostAsJsonAsync("v1/prompts/shared/versions", new CreatePromptVersionRequest("1.0.0", null, "a's text"), ApiJson.Options);

        await Problem.AssertAsync(await b.GetAsync("v1/prompts/shared"), 404, "not-found");
        await Problem.AssertAsync(await b.GetAsync("v1/prompts/shared/versions/1.0.0"), 404, "not-found");
        await Problem.AssertAsync(await b.PostAsync("v1/prompts/shared/versions/1.0.0/approve", null), 404, "not-found");

        var aFamily = await a.GetFromJsonAsync<PromptFamilyDto>("v1/prompts/shared", ApiJson.Options);
        Assert.Equal(PromptStatus.Draft, Assert.Single(aFamily!.Versions).Status);
    }
}
