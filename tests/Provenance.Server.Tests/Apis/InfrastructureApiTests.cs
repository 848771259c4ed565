using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Contracts;
using Provenance.Server.Timestamping;
using Provenance.Timestamping;

namespace Provenance.Server.Tests.Apis;

public sealed class InfrastructureApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Healthz_And_Readyz_AreOkWithMigrationsApplied()
    {
        using var client = Server.Client();

        var health = await client.GetStringAsync("healthz");
        var ready = await client.GetFromJsonAsync<JsonElement>("readyz");

        Assert.Equal("ok", health);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("database").GetBoolean());
        Assert.Equal(ready.GetProperty("migrationsShipped").GetInt32(), ready.GetProperty("migrationsApplied").GetInt32());
        Assert.True(ready.GetProperty("migrationsApplied").GetInt32() >= 4);
    }

    [Fact]
    public async Task OpenApi_EveryOperation_IsNamedSummarisedAndTagged()
    {
        using var client = Server.Client();

        var doc = await client.GetFromJsonAsync<JsonElement>("openapi/v1.json");

        var operations = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete").Select(o => (Path: p.Name, Method: o.Name, Op: o.Value)))
            .ToList();
        Assert.Contains(operations, o => o.Path == "/v1/admin/api-keys" && o.Method == "post");
        Assert.Contains(operations, o => o.Path == "/tsa" && o.Method == "post");
        Assert.Contains(operations, o => o.Path == "/v1/keys");
        foreach (var (path, method, op) in operations)
        {
            Assert.True(op.TryGetProperty("operationId", out _), $"{method} {path} has no name");
            Assert.True(op.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 5, $"{method} {path} has no summary");
            Assert.True(op.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{method} {path} has no tag");
            if (path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                var responses = op.GetProperty("responses");
                Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{method} {path} does not document 401");
                Assert.True(unauthorized.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path}: 401 is not problem+json");
            }
        }
    }

    [Fact]
    public async Task UnknownRoute_Is404ProblemJson()
    {
        using var client = Server.Client(Server.AdminKey);

        await Problem.AssertAsync(await client.GetAsync("v1/no-such-thing"), 404, "not-found");
        await Problem.AssertAsync(await client.GetAsync("nope"), 404, "not-found");
    }

    [Fact]
    public async Task WrongMethod_Is405ProblemJson()
    {
        using var client = Server.Client(Server.AdminKey);

        await Problem.AssertAsync(await client.PatchAsync("v1/webhooks", Problem.Json("{}")), 405, "method-not-allowed");
    }

    [Fact]
    public async Task BuiltInTsa_ThroughHttpClientPath_GrantsVerifiedTokenAndCountsInMetrics()
    {
        var service = Server.App.Services.GetRequiredService<TimestampService>();
        var tsa = Assert.Single(service.Authorities);
        var hash = SHA256.HashData("epoch checkpoint"u8);

        var token = await service.TimestampAsync(tsa, hash, CancellationToken.None);

        Assert.Equal(TimestampAuthorities.BuiltInName, token.Authority);
        Assert.Equal(new Uri(Server.BaseAddress, "/tsa"), tsa.Url);
        using var client = Server.Client();
        var metrics = await client.GetStringAsync("metrics");
        Assert.Contains("provenance_tsa_latency_milliseconds_count{tsa=\"builtin\"} ", metrics, StringComparison.Ordinal);
        Assert.Matches(@"provenance_tsa_builtin_requests_total(\{\})? [1-9]", metrics);
        using var admin = Server.Client(Server.AdminKey);
        var runtime = await admin.GetFromJsonAsync<RuntimeStatsDto>("v1/runtime", ApiJson.Options);
        Assert.NotNull(runtime!.TsaLatencyMsP50);
    }

    [Fact]
    public async Task Tsa_WrongContentType_Is415_GarbageQuery_IsRejectionReply()
    {
        using var client = Server.Client();

        var wrongType = await client.PostAsync("tsa", Problem.Json("{}"));
        var garbage = new ByteArrayContent([1, 2, 3]);
        garbage.Headers.ContentType = new(Rfc3161Labels.TimestampQueryMediaType);
        var rejected = await client.PostAsync("tsa", garbage);

        await Problem.AssertAsync(wrongType, 415, "unsupported-media-type");
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(Rfc3161Labels.TimestampReplyMediaType, rejected.Content.Headers.ContentType!.MediaType);
        var der = await rejected.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x30, der[0]);
    }

    [Fact]
    public async Task TsaCertificates_ArePem()
    {
        using var client = Server.Client();

        var root = await client.GetStringAsync("tsa/root");
        var signing = await client.GetStringAsync("tsa/certificate");

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", root, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", signing, StringComparison.Ordinal);
        Assert.NotEqual(root, signing);
        Assert.DoesNotContain("PRIVATE", root + signing, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Keys_ServeOnlyPublicParts_PrivateKeysAre0600OnDisk()
    {
        var reader = await Server.CreateKeyAsync("keys-reader", Scopes.Read);
        using var client = Server.Client(reader.Secret);

        var response = await client.GetAsync("v1/keys");
        var text = await response.Content.ReadAsStringAsync();
        var keys = JsonSerializer.Deserialize<PublicKeyDto[]>(text, ApiJson.Options)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, keys.Length);
        Assert.All(keys, k => Assert.Equal("active", k.Status));
        Assert.All(keys, k => Assert.StartsWith("-----BEGIN PUBLIC KEY-----", k.Pem, StringComparison.Ordinal));
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"d\"", text, StringComparison.Ordinal);
        var pems = Directory.GetFiles(Path.Combine(Server.DataDirectory, "keys"), "*.pem", SearchOption.AllDirectories);
        Assert.Equal(2, pems.Length);
        Assert.All(pems, p => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(p)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Server.DataDirectory, "admin-key.txt")));
    }

    [Fact]
    public async Task Runtime_ReturnsSnapshot()
    {
        using var client = Server.Client(Server.AdminKey);

        var stats = await client.GetFromJsonAsync<RuntimeStatsDto>("v1/runtime", ApiJson.Options);

        Assert.NotNull(stats);
        Assert.True(stats.At > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task Metrics_AfterGrainCalls_IsPrometheusTextWithServerAndOrleansMeters()
    {
        using var client = Server.Client();
        using var admin = Server.Client(Server.AdminKey);
        (await admin.GetAsync("v1/anchor/status")).EnsureSuccessStatusCode(); // an anchor grain call

        // The filter records a call when it completes; a scrape soon after shows it (other servers share this process).
        HttpResponseMessage response;
        string text;
        string[] samples;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            response = await client.GetAsync("metrics");
            text = await response.Content.ReadAsStringAsync();
            samples = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
        }
        while (!samples.Any(l => l.StartsWith("provenance_actors_calls_total{grain_type=\"anchor\"} ", StringComparison.Ordinal)) && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("# TYPE provenance_actors_call_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE provenance_log_size gauge", text, StringComparison.Ordinal);
        Assert.Contains(samples, l => l.StartsWith("provenance_actors_calls_total{grain_type=\"anchor\"} ", StringComparison.Ordinal));
        Assert.Contains(samples, l => l.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.DoesNotContain("otel_scope_name", text, StringComparison.Ordinal);
        Assert.All(samples, l => Assert.Matches(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInf]+( [0-9]+)?$", l));
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }

    [Fact]
    public async Task Dashboard_IsServed()
    {
        using var client = Server.Client();

        var response = await client.GetAsync("dashboard/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
    }
}
