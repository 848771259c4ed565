using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;

namespace Provenance.Server.Tests.Apis;

/// <summary>Every /v1 route of the running server, discovered from its endpoint table, refuses bad callers.</summary>
public sealed class AuthRouteTableTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    // Routes any valid key may call (GET /v1/me); see Caller.RequireAnyKey.
    private const string AnyKey = "any-key";

    private IReadOnlyList<(string Method, string Path, string Scope)> ProtectedRoutes()
    {
        var routes = new List<(string, string, string)>();
        foreach (var endpoint in Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var scope = endpoint.Metadata.GetMetadata<RequiredScope>()?.Scope;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            var pattern = endpoint.RoutePattern.RawText!;
            if (!pattern.TrimStart('/').StartsWith("v1", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(scope is not null, $"{pattern} has no scope");
            var path = string.Join('/', pattern.Split('/').Select(s => s.StartsWith('{') ? (s.Contains(":long", StringComparison.Ordinal) ? "1" : "zz1") : s));
            routes.AddRange(methods.Select(m => (m, path, scope!)));
        }

        return routes;
    }

    private static HttpRequestMessage Request(string method, string path, string? key, bool header = false)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (method is "POST" or "PUT")
        {
            request.Content = Problem.Json("{}");
        }

        if (key is not null)
        {
            if (header)
            {
                request.Headers.Add("X-Api-Key", key);
            }
            else
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }
        }

        return request;
    }

    [Fact]
    public void RouteTable_EveryDocumentedV1Route_IsMappedWithAScope()
    {
        var routes = ProtectedRoutes();

        string[] expected =
        [
            "POST /v1/admin/api-keys admin", "GET /v1/admin/api-keys admin", "DELETE /v1/admin/api-keys/zz1 admin",
            "GET /v1/admin/tenant-policy admin", "PUT /v1/admin/tenant-policy admin",
            "POST /v1/webhooks/ admin", "GET /v1/webhooks/ admin", "DELETE /v1/webhooks/zz1 admin",
            "GET /v1/keys read", "GET /v1/me any-key", "GET /v1/runtime admin", "GET /v1/audit/findings admin", "POST /v1/audit/run admin",
            "POST /v1/assets/ register", "POST /v1/assets/upload register", "GET /v1/assets/zz1 read", "GET /v1/assets/zz1/manifest read",
            "GET /v1/assets/zz1/audit read", "POST /v1/assets/zz1/parents register", "POST /v1/assets/zz1/status register",
            "POST /v1/assets/zz1/moderation register", "POST /v1/assets/zz1/approvals register", "POST /v1/assets/zz1/restrictions register",
            "GET /v1/assets/zz1/ancestors read", "GET /v1/assets/zz1/descendants read", "GET /v1/assets/zz1/roots read",
            "GET /v1/lineage/path read", "GET /v1/assets/zz1/evidence read", "GET /v1/search read",
            "POST /v1/prompts/zz1/versions register", "GET /v1/prompts/zz1 read", "GET /v1/prompts/zz1/versions/zz1 read",
            "POST /v1/prompts/zz1/versions/zz1/approve register", "POST /v1/prompts/zz1/versions/zz1/deprecate register",
            "POST /v1/prompts/zz1/versions/zz1/block register", "GET /v1/prompts/zz1/diff read",
            "GET /v1/epochs read", "GET /v1/epochs/1 read", "POST /v1/epochs/trigger anchor", "GET /v1/anchor/status read",
            "GET /v1/proofs/inclusion read", "GET /v1/proofs/consistency read", "POST /v1/verify read",
        ];
        var actual = routes.Select(r => $"{r.Method} {r.Path} {r.Scope}").ToHashSet();
        foreach (var route in expected)
        {
            Assert.Contains(route, actual);
        }
    }

    [Fact]
    public async Task EveryRoute_NoKey_Is401Unauthenticated()
    {
        using var client = Server.Client();
        foreach (var (method, path, _) in ProtectedRoutes())
        {
            var response = await client.SendAsync(Request(method, path, null));

            await Problem.AssertAsync(response, 401, "unauthenticated");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("pvk_aaaaaaaaaaaa_wrongsecret")]
    [InlineData("pvk_short_x")]
    public async Task EveryRoute_BadKey_Is401Unauthenticated(string key)
    {
        using var client = Server.Client();
        foreach (var (method, path, _) in ProtectedRoutes())
        {
            await Problem.AssertAsync(await client.SendAsync(Request(method, path, key)), 401, "unauthenticated");
            await Problem.AssertAsync(await client.SendAsync(Request(method, path, key, header: true)), 401, "unauthenticated");
        }
    }

    [Fact]
    public async Task EveryRoute_RightKeyIdWrongSecret_Is401()
    {
        var key = await Server.CreateKeyAsync("default", Scopes.All.ToArray());
        var forged = key.Secret![..^4] + "AAAA";
        using var client = Server.Client();
        foreach (var (method, path, _) in ProtectedRoutes())
        {
            await Problem.AssertAsync(await client.SendAsync(Request(method, path, forged)), 401, "unauthenticated");
        }
    }

    [Fact]
    public async Task KeyUsedThenRevoked_NextRequestIs401()
    {
        // The key row is cached for authentication after the first request; revoking through this node must still bite at once.
        var key = await Server.CreateKeyAsync("default", Scopes.Read);
        using var client = Server.Client(key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/keys")).StatusCode);
        using var admin = Server.Client(Server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"v1/admin/api-keys/{key.KeyId}")).StatusCode);
        var body = await Problem.AssertAsync(await client.GetAsync("v1/keys"), 401, "unauthenticated");
        Assert.Contains("revoked", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRoute_RevokedKey_Is401()
    {
        var key = await Server.CreateKeyAsync("default", Scopes.All.ToArray());
        using var admin = Server.Client(Server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"v1/admin/api-keys/{key.KeyId}")).StatusCode);
        using var client = Server.Client();

        foreach (var (method, path, _) in ProtectedRoutes())
        {
            var body = await Problem.AssertAsync(await client.SendAsync(Request(method, path, key.Secret)), 401, "unauthenticated");
            Assert.Contains("revoked", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EveryRoute_KeyWithEveryOtherScope_Is403Forbidden()
    {
        var keys = new Dictionary<string, string>();
        foreach (var scope in Scopes.All)
        {
            keys[scope] = (await Server.CreateKeyAsync("default", Scopes.All.Where(s => s != scope).ToArray())).Secret!;
        }

        using var client = Server.Client();
        foreach (var (method, path, scope) in ProtectedRoutes().Where(r => r.Scope != AnyKey))
        {
            var body = await Problem.AssertAsync(await client.SendAsync(Request(method, path, keys[scope])), 403, "forbidden");
            Assert.Contains($"'{scope}'", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Me_KeyWithOneScopeEach_ToldItsOwnTenantAndScopes()
    {
        foreach (var scope in Scopes.All)
        {
            var key = await Server.CreateKeyAsync("me-tenant", scope);
            using var client = Server.Client(key.Secret);

            var response = await client.GetAsync("v1/me");
            var text = await response.Content.ReadAsStringAsync();
            var me = JsonSerializer.Deserialize<CallerDto>(text, ApiJson.Options)!;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal((key.KeyId, "me-tenant", scope), (me.KeyId, me.Tenant, Assert.Single(me.Scopes)));
            Assert.DoesNotContain(key.Secret!, text, StringComparison.Ordinal);
        }

        using var admin = Server.Client(Server.AdminKey);
        var self = (await admin.GetFromJsonAsync<CallerDto>("v1/me", ApiJson.Options))!;
        Assert.Equal(Scopes.All.Order(StringComparer.Ordinal), self.Scopes);
    }

    [Fact]
    public async Task AnonymousRoutes_NeedNoKey()
    {
        using var client = Server.Client();

        foreach (var path in new[] { "healthz", "readyz", "metrics", "openapi/v1.json" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, path + " " + response.StatusCode);
        }
    }
}
