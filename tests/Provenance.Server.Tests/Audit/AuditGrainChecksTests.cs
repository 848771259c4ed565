using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Contracts;

namespace Provenance.Server.Tests.Audit;

/// <summary>The audit's manifest and checkpoint checks against real assets and epochs.</summary>
public sealed class AuditGrainChecksTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Audit_RegisteredAndAnchored_IsClean_ThenTamperedLogEntry_IsFoundPerTenantAndPerEpoch()
    {
        var key = await Server.CreateKeyAsync("audited", Scopes.All.ToArray());
        using var client = Server.Client(key.Secret);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, "sha256:" + new string((char)('a' + i), 64), "image/png"), ApiJson.Options);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!.AssetId);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("v1/epochs/trigger", null)).StatusCode);
        var grains = Server.App.Services.GetRequiredService<Orleans.IGrainFactory>();

        await AuditRuns.RunToEndAsync(grains, fixture.Postgres.DataSource);
        using var admin = Server.Client(Server.AdminKey);
        Assert.Empty((await admin.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!);
        Assert.Empty((await client.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!);

        await using (var cmd = fixture.Postgres.DataSource.CreateCommand("UPDATE log_entries SET leaf_input = '\\x01'::bytea WHERE source_key = @k"))
        {
            cmd.Parameters.AddWithValue("k", ids[1] + "@1");
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        await AuditRuns.RunToEndAsync(grains, fixture.Postgres.DataSource);

        var tenantFindings = (await client.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!;
        var operatorFindings = (await admin.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!;
        var mismatch = Assert.Single(tenantFindings);
        Assert.Equal("log-entry-mismatch", mismatch.Kind);
        Assert.Equal(ids[1], mismatch.Subject);
        Assert.Contains(operatorFindings, f => f.Kind == "checkpoint-root-mismatch" && f.Subject.StartsWith("epoch:", StringComparison.Ordinal));
        Assert.Contains(operatorFindings, f => f.Kind == "log-root-mismatch");
        Assert.DoesNotContain(operatorFindings, f => f.Kind == "log-entry-mismatch");
    }
}
