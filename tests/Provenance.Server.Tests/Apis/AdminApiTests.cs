using System.Net;
using System.Net.Http.Json;
using Provenance.Core.Contracts;

namespace Provenance.Server.Tests.Apis;

public sealed class AdminApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<ApiKeyDto[]> ListAsync(string key)
    {
        using var client = Server.Client(key);
        return (await client.GetFromJsonAsync<ApiKeyDto[]>("v1/admin/api-keys", ApiJson.Options))!;
    }

    [Fact]
    public async Task CreateKey_ByOperatorForNewTenant_KeyWorksAndIsListedWithoutSecret()
    {
        var key = await Server.CreateKeyAsync("acme", Scopes.Admin, Scopes.Read);

        Assert.StartsWith("pvk_" + key.KeyId + "_", key.Secret, StringComparison.Ordinal);
        Assert.Equal("acme", key.Tenant);
        var listed = Assert.Single(await ListAsync(key.Secret!));
        Assert.Equal(key.KeyId, listed.KeyId);
        Assert.Null(listed.Secret);
        Assert.Equal([Scopes.Admin, Scopes.Read], listed.Scopes);
        Assert.DoesNotContain(await ListAsync(Server.AdminKey), k => k.KeyId == key.KeyId);
    }

    [Fact]
    public async Task CreateKey_NonOperatorForOtherTenant_Is403AndWritesNothing()
    {
        var acmeAdmin = await Server.CreateKeyAsync("tenant-a", Scopes.Admin);
        using var client = Server.Client(acmeAdmin.Secret);

        var response = await client.PostAsJsonAsync("v1/admin/api-keys", new CreateApiKeyRequest("tenant-b", [Scopes.Read]), ApiJson.Options);

        await Problem.AssertAsync(response, 403, "forbidden", "tenant");
        var operatorSees = await ListAsync(Server.AdminKey);
        Assert.DoesNotContain(operatorSees, k => k.Tenant == "tenant-b");
        using var own = Server.Client(acmeAdmin.Secret);
        var created = await own.PostAsJsonAsync("v1/admin/api-keys", new CreateApiKeyRequest("tenant-a", [Scopes.Read]), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData("""{"tenant":"acme","scopes":["read"],""", "invalid-json", null)]
    [InlineData("""{"tenant":"acme","scopes":"read"}""", "invalid-json", "scopes")]
    [InlineData("""{"tenant":5,"scopes":["read"]}""", "invalid-json", "tenant")]
    [InlineData("""{"scopes":["read"]}""", "validation-failed", "tenant")]
    [InlineData("""{"tenant":null,"scopes":["read"]}""", "invalid-json", "tenant")]
    [InlineData("""{"tenant":"Acme Corp","scopes":["read"]}""", "validation-failed", "tenant")]
    [InlineData("""{"tenant":"acme","scopes":[]}""", "validation-failed", "scopes")]
    [InlineData("""{"tenant":"acme","scopes":["read","root"]}""", "validation-failed", "scopes[1]")]
    [InlineData("[1,2]", "invalid-json", null)]
    public async Task CreateKey_BadInput_Is400AndWritesNothing(string json, string code, string? field)
    {
        var before = (await ListAsync(Server.AdminKey)).Length;
        using var client = Server.Client(Server.AdminKey);

        var response = await client.PostAsync("v1/admin/api-keys", Problem.Json(json));

        await Problem.AssertAsync(response, 400, code, field);
        Assert.Equal(before, (await ListAsync(Server.AdminKey)).Length);
    }

    [Fact]
    public async Task CreateKey_OversizedBody_Is413AndWritesNothing()
    {
        var before = (await ListAsync(Server.AdminKey)).Length;
        using var client = Server.Client(Server.AdminKey);
        var json = """{"tenant":"acme","scopes":["read"],"description":""" + "\"" + new string('x', 2 << 20) + "\"}";

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/admin/api-keys") { Content = Problem.Json(json) };
        request.Headers.ExpectContinue = true; // the server answers 413 before the body is sent

        var response = await client.SendAsync(request);

        await Problem.AssertAsync(response, 413, "payload-too-large");
        Assert.Equal(before, (await ListAsync(Server.AdminKey)).Length);
    }

    [Fact]
    public async Task RevokeKey_OtherTenantsKey_Is404AndKeyStillWorks()
    {
        var victim = await Server.CreateKeyAsync("tenant-c", Scopes.Admin);
        var attacker = await Server.CreateKeyAsync("tenant-d", Scopes.Admin);
        using var client = Server.Client(attacker.Secret);

        await Problem.AssertAsync(await client.DeleteAsync($"v1/admin/api-keys/{victim.KeyId}"), 404, "not-found", "keyId");
        await Problem.AssertAsync(await client.DeleteAsync("v1/admin/api-keys/not-a-key-id"), 404, "not-found", "keyId");

        Assert.Single(await ListAsync(victim.Secret!));
    }

    [Fact]
    public async Task RevokeKey_Twice_IsIdempotentAndListShowsRevokedAt()
    {
        var key = await Server.CreateKeyAsync("tenant-e", Scopes.Admin);
        var other = await Server.CreateKeyAsync("tenant-e", Scopes.Admin);
        using var client = Server.Client(other.Secret);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"v1/admin/api-keys/{key.KeyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"v1/admin/api-keys/{key.KeyId}")).StatusCode);

        var listed = (await ListAsync(other.Secret!)).Single(k => k.KeyId == key.KeyId);
        Assert.NotNull(listed.RevokedAt);
    }

    [Fact]
    public async Task TenantPolicy_DefaultThenPut_RoundTripsAndIsPerTenant()
    {
        var a = await Server.CreateKeyAsync("policy-a", Scopes.Admin);
        var b = await Server.CreateKeyAsync("policy-b", Scopes.Admin);
        using var clientA = Server.Client(a.Secret);
        using var clientB = Server.Client(b.Secret);

        var initial = await clientA.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options);
        var put = await clientA.PutAsJsonAsync("v1/admin/tenant-policy", new TenantPolicyDto(PromptPrivacy.Hashed, true, ["policy-b"]), ApiJson.Options);
        var after = await clientA.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options);
        var otherTenant = await clientB.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options);

        Assert.Equal(PromptPrivacy.Clear, initial!.PromptPrivacy);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains("\"hashed\"", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(PromptPrivacy.Hashed, after!.PromptPrivacy);
        Assert.True(after.AllowDraftPrompts);
        Assert.Equal(["policy-b"], after.TrustedTenants);
        Assert.Equal(PromptPrivacy.Clear, otherTenant!.PromptPrivacy);
    }

    [Fact]
    public async Task TenantPolicy_OperatorActsOnOtherTenant_NonOperatorIs403()
    {
        var tenantKey = await Server.CreateKeyAsync("policy-c", Scopes.Admin);
        using var op = Server.Client(Server.AdminKey);
        using var tenant = Server.Client(tenantKey.Secret);

        var put = await op.PutAsJsonAsync("v1/admin/tenant-policy?tenant=policy-c", new TenantPolicyDto(PromptPrivacy.Redacted), ApiJson.Options);
        var seen = await tenant.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options);
        var refused = await tenant.PutAsJsonAsync("v1/admin/tenant-policy?tenant=default", new TenantPolicyDto(PromptPrivacy.Redacted), ApiJson.Options);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(PromptPrivacy.Redacted, seen!.PromptPrivacy);
        await Problem.AssertAsync(refused, 403, "forbidden", "tenant");
        Assert.Equal(PromptPrivacy.Clear, (await op.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options))!.PromptPrivacy);
    }

    [Theory]
    [InlineData("""{"promptPrivacy":"secret"}""", "invalid-json", "promptPrivacy")]
    [InlineData("""{"promptPrivacy":1}""", "invalid-json", "promptPrivacy")]
    [InlineData("""{"allowDraftPrompts":"yes"}""", "invalid-json", "allowDraftPrompts")]
    [InlineData("""{"trustedTenants":["Not Valid"]}""", "validation-failed", "trustedTenants[0]")]
    public async Task TenantPolicy_BadInput_Is400AndChangesNothing(string json, string code, string field)
    {
        var key = await Server.CreateKeyAsync("policy-" + Guid.NewGuid().ToString("N")[..8], Scopes.Admin);
        using var client = Server.Client(key.Secret);

        var response = await client.PutAsync("v1/admin/tenant-policy", Problem.Json(json));

        await Problem.AssertAsync(response, 400, code, field);
        var policy = await client.GetFromJsonAsync<TenantPolicyDto>("v1/admin/tenant-policy", ApiJson.Options);
        Assert.Equal(new TenantPolicyDto(PromptPrivacy.Clear, false, []).PromptPrivacy, policy!.PromptPrivacy);
        Assert.Empty(policy.TrustedTenants!);
    }
}
