using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Server.Apis;
using Provenance.Server.Tests.Webhooks;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Tests.Audit;

/// <summary>Audit runs on a real server: the log-tree check, findings, webhooks, metrics and POST /v1/audit/run.</summary>
public sealed class AuditRunTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task AppendLeavesAsync(int count)
    {
        var storage = Server.App.Services.GetRequiredService<IDurableStateStore>();
        for (var i = 0; i < count; i++)
        {
            var effects = new DurableEffects();
            var id = Guid.NewGuid().ToString("N");
            effects.LogAppends.Add(new LogAppend("audit-test-" + id, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id))));
            await storage.WriteAsync(new GrainStateKey("audit-test", id, "state"), "{}"u8.ToArray(), null, effects, CancellationToken.None);
        }

        var log = Server.App.Services.GetRequiredService<ILogStore>();
        while ((await log.GetHeadAsync(CancellationToken.None)).Pending > 0)
        {
            await log.SequenceAsync(1000, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Audit_IntactLogThenTamperedLeaf_FindsMismatchStoresItSendsWebhookAndCountsIt()
    {
        await AppendLeavesAsync(37);
        var grains = Server.App.Services.GetRequiredService<Orleans.IGrainFactory>();
        await using var receiver = new WebhookReceiver();
        using var admin = Server.Client(Server.AdminKey);
        var hook = (await (await admin.PostAsJsonAsync("v1/webhooks", new CreateWebhookRequest(receiver.Url, ["audit.mismatch"]), ApiJson.Options)).Content.ReadFromJsonAsync<WebhookDto>(ApiJson.Options))!;

        await AuditRuns.RunToEndAsync(grains, fixture.Postgres.DataSource);
        Assert.Empty((await admin.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!);

        await using (var cmd = fixture.Postgres.DataSource.CreateCommand("UPDATE log_entries e SET leaf_input = '\\x00'::bytea FROM log_sequence s WHERE s.entry_id = e.id AND s.idx = 5"))
        {
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var run = await admin.PostAsync("v1/audit/run", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal("/v1/audit/findings", run.Headers.Location?.OriginalString);
        var runId = Assert.Single(run.Headers.GetValues(AuditApi.RunHeader));
        await AuditRuns.WaitFinishedAsync(fixture.Postgres.DataSource, runId);
        AuditFindingDto[] findings = [];
        for (var i = 0; i < 200 && !findings.Any(f => f.Kind == "log-root-mismatch"); i++)
        {
            await Task.Delay(50);
            findings = (await admin.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!;
        }

        Assert.Contains(findings, f => f.Kind == "log-root-mismatch" && f.Subject == "log");
        Assert.Contains(findings, f => f.Kind == "log-node-mismatch" && f.Subject == "log:node:0/5");
        var delivered = await receiver.WaitForDeliveredAsync(findings.Length);
        Assert.All(delivered, d => Assert.True(WebhookSignature.Verify(hook.Secret!, d.Signature, d.Body)));
        Assert.Contains(delivered, d => JsonDocument.Parse(d.Body).RootElement.GetProperty("data").GetProperty("kind").GetString() == "log-root-mismatch");
        var metrics = await Server.Client().GetStringAsync("metrics");
        Assert.True(metrics.Contains("provenance_audit_findings_total{kind=\"log-root-mismatch\"} 1", StringComparison.Ordinal), string.Join("\n", metrics.Split("\n").Where(l => l.Contains("audit", StringComparison.Ordinal))));

        var tenantKey = await Server.CreateKeyAsync("audit-tenant", Scopes.Admin);
        using var tenant = Server.Client(tenantKey.Secret);
        Assert.Empty((await tenant.GetFromJsonAsync<AuditFindingDto[]>("v1/audit/findings", ApiJson.Options))!);
    }

    [Theory]
    [InlineData("v1/audit/findings?limit=0", "limit")]
    [InlineData("v1/audit/findings?limit=5000", "limit")]
    [InlineData("v1/audit/findings?limit=abc", "limit")]
    [InlineData("v1/audit/findings?before=x", "before")]
    public async Task Findings_BadQuery_Is400WithField(string path, string field)
    {
        using var admin = Server.Client(Server.AdminKey);

        await Problem.AssertAsync(await admin.GetAsync(path), 400, "validation-failed", field);
    }
}
