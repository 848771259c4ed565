using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Provenance.Core.Contracts;
using Provenance.Server.Webhooks;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Webhooks;

/// <summary>Deliveries survive a server restart: queued ones are retried by the next process, events committed while no server ran are delivered.</summary>
public sealed class WebhookRestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Restart_PendingAndMissedEvents_DeliveredOnceEachInSequence()
    {
        await using var receiver = new WebhookReceiver();
        receiver.Script(Enumerable.Repeat(500, 1000).ToArray()); // down until the script is drained
        var dataDirectory = Path.Combine(Path.GetTempPath(), "provenance-server-tests", Guid.NewGuid().ToString("N")[..12]);
        WebhookDto hook;
        await using (var first = await TestServer.StartAsync(postgres.ConnectionString, dataDirectory))
        {
            var key = await first.CreateKeyAsync("restart", Scopes.Admin);
            using var client = first.Client(key.Secret);
            var response = await client.PostAsJsonAsync("v1/webhooks", new CreateWebhookRequest(receiver.Url, ["asset.registered"]), ApiJson.Options);
            hook = (await response.Content.ReadFromJsonAsync<WebhookDto>(ApiJson.Options))!;
            await WebhooksTests.PublishAsync(first, "asset.registered", "restart", new { assetId = "before" });
            await WaitAsync(() => !receiver.Requests.IsEmpty);
        }

        await using (var webhooksOff = await TestServer.StartAsync(postgres.ConnectionString, dataDirectory, "--Provenance:Webhooks:Enabled=false"))
        {
            await WebhooksTests.PublishAsync(webhooksOff, "asset.registered", "restart", new { assetId = "while-down" });
        }

        receiver.ClearScript();

        await using var second = await TestServer.StartAsync(postgres.ConnectionString, dataDirectory);
        var delivered = await receiver.WaitForDeliveredAsync(2);

        var bodies = delivered.Select(d => JsonDocument.Parse(d.Body).RootElement).OrderBy(b => b.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(["before", "while-down"], bodies.Select(b => b.GetProperty("data").GetProperty("assetId").GetString()));
        Assert.Equal([1L, 2L], bodies.Select(b => b.GetProperty("sequence").GetInt64()));
        Assert.All(delivered, d => Assert.True(WebhookSignature.Verify(hook.Secret!, d.Signature, d.Body)));
        await Task.Delay(500);
        Assert.Equal(2, receiver.Requests.Count(r => r.AnsweredStatus == 200));
        Assert.Equal(HttpStatusCode.OK, (await second.Client().GetAsync("readyz")).StatusCode);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
