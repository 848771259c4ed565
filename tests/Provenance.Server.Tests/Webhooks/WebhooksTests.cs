using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Tests.Webhooks;

public sealed class WebhooksTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>Commits an outbox event the way a grain does (with a state write), so the real outbox feeds the webhooks.</summary>
    internal static async Task PublishAsync(TestServer server, string type, string? tenant, object data, string stream = "assets")
    {
        var storage = server.App.Services.GetRequiredService<IDurableStateStore>();
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage(stream, type, tenant, JsonSerializer.SerializeToUtf8Bytes(data)));
        await storage.WriteAsync(new GrainStateKey("test", Guid.NewGuid().ToString("N"), "state"), "{}"u8.ToArray(), null, effects, CancellationToken.None);
    }

    private static async Task<WebhookDto> SubscribeAsync(HttpClient client, string url, params string[] events)
    {
        var response = await client.PostAsJsonAsync("v1/webhooks", new CreateWebhookRequest(url, events.Length == 0 ? null : events), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookDto>(ApiJson.Options))!;
    }

    [Fact]
    public async Task CreateListDelete_RoundTrips_SecretShownOnce()
    {
        var key = await Server.CreateKeyAsync("wh-crud", Scopes.Admin);
        using var client = Server.Client(key.Secret);

        var created = await SubscribeAsync(client, "http://127.0.0.1:9/x", "asset.registered");
        var listed = await client.GetFromJsonAsync<WebhookDto[]>("v1/webhooks", ApiJson.Options);
        var deleted = await client.DeleteAsync($"v1/webhooks/{created.Id}");
        var after = await client.GetFromJsonAsync<WebhookDto[]>("v1/webhooks", ApiJson.Options);

        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        var one = Assert.Single(listed!);
        Assert.Null(one.Secret);
        Assert.Equal(["asset.registered"], one.Events);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(after!);
    }

    [Fact]
    public async Task OtherTenant_CannotSeeOrDelete()
    {
        var a = await Server.CreateKeyAsync("wh-a", Scopes.Admin);
        var b = await Server.CreateKeyAsync("wh-b", Scopes.Admin);
        using var clientA = Server.Client(a.Secret);
        using var clientB = Server.Client(b.Secret);
        var created = await SubscribeAsync(clientA, "http://127.0.0.1:9/a");

        var listedByB = await clientB.GetFromJsonAsync<WebhookDto[]>("v1/webhooks", ApiJson.Options);
        var deleteByB = await clientB.DeleteAsync($"v1/webhooks/{created.Id}");

        Assert.Empty(listedByB!);
        await Problem.AssertAsync(deleteByB, 404, "not-found", "id");
        Assert.Single((await clientA.GetFromJsonAsync<WebhookDto[]>("v1/webhooks", ApiJson.Options))!);
    }

    [Theory]
    [InlineData("""{"url":"ftp://example.com/x"}""", "validation-failed", "url")]
    [InlineData("""{"url":"/relative"}""", "validation-failed", "url")]
    [InlineData("""{"url":"http://example.com/x","events":["asset.deleted"]}""", "validation-failed", "events[0]")]
    [InlineData("""{"url":42}""", "invalid-json", "url")]
    [InlineData("""{"events":[]}""", "validation-failed", "url")]
    [InlineData("""{"url":null}""", "invalid-json", "url")]
    [InlineData("""{"url":""", "invalid-json", null)]
    public async Task Create_BadInput_Is400AndWritesNothing(string json, string code, string? field)
    {
        var key = await Server.CreateKeyAsync("wh-bad-" + Guid.NewGuid().ToString("N")[..6], Scopes.Admin);
        using var client = Server.Client(key.Secret);

        var response = await client.PostAsync("v1/webhooks", Problem.Json(json));

        await Problem.AssertAsync(response, 400, code, field);
        Assert.Empty((await client.GetFromJsonAsync<WebhookDto[]>("v1/webhooks", ApiJson.Options))!);
    }

    [Fact]
    public async Task Delivery_SignedBodyWithIncreasingSequence_OnlyToSubscribedTenantAndEvents()
    {
        await using var receiver = new WebhookReceiver();
        await using var otherReceiver = new WebhookReceiver();
        var key = await Server.CreateKeyAsync("wh-deliver", Scopes.Admin);
        var other = await Server.CreateKeyAsync("wh-other", Scopes.Admin);
        using var client = Server.Client(key.Secret);
        using var otherClient = Server.Client(other.Secret);
        var hook = await SubscribeAsync(client, receiver.Url, "asset.registered", "epoch.sealed");
        await SubscribeAsync(otherClient, otherReceiver.Url, "asset.registered");

        await PublishAsync(Server, "asset.registered", "wh-deliver", new { assetId = "a1" });
        await PublishAsync(Server, "asset.status_changed", "wh-deliver", new { assetId = "a1" });
        await PublishAsync(Server, "asset.registered", "wh-deliver", new { assetId = "a2" });
        await PublishAsync(Server, "epoch.sealed", null, new { epoch = 1 }, stream: "epochs");
        var delivered = await receiver.WaitForDeliveredAsync(3);

        var bodies = delivered.Select(d => JsonDocument.Parse(d.Body).RootElement).ToList();
        Assert.All(delivered, d => Assert.True(WebhookSignature.Verify(hook.Secret!, d.Signature, d.Body), d.Signature));
        Assert.Equal([1L, 2L, 3L], bodies.Select(b => b.GetProperty("sequence").GetInt64()).Order());
        Assert.DoesNotContain(bodies, b => b.GetProperty("type").GetString() == "asset.status_changed");
        var assets = bodies.Where(b => b.GetProperty("type").GetString() == "asset.registered").OrderBy(b => b.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(["a1", "a2"], assets.Select(b => b.GetProperty("data").GetProperty("assetId").GetString()));
        Assert.All(assets, b => Assert.Equal("wh-deliver", b.GetProperty("tenant").GetString()));
        Assert.All(bodies, b => Assert.StartsWith("evt_", b.GetProperty("id").GetString(), StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.GetProperty("type").GetString() == "epoch.sealed" && b.GetProperty("data").GetProperty("epoch").GetInt32() == 1);
        await Task.Delay(300);
        Assert.DoesNotContain(otherReceiver.Requests, r => r.Body.Contains("wh-deliver", StringComparison.Ordinal));
        Assert.False(WebhookSignature.Verify("whsec_wrong", delivered[0].Signature, delivered[0].Body));
        Assert.False(WebhookSignature.Verify(hook.Secret!, delivered[0].Signature, delivered[0].Body + " "));
    }

    [Fact]
    public async Task Delivery_ReceiverFailsTwice_RedeliveredWithSameSequenceAndId()
    {
        await using var receiver = new WebhookReceiver();
        receiver.Script(500, 503);
        var key = await Server.CreateKeyAsync("wh-retry", Scopes.Admin);
        using var client = Server.Client(key.Secret);
        var hook = await SubscribeAsync(client, receiver.Url, "asset.registered");

        await PublishAsync(Server, "asset.registered", "wh-retry", new { assetId = "r1" });
        var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(1));

        var attempts = receiver.Requests.ToList();
        Assert.Equal(3, attempts.Count);
        Assert.Equal([500, 503, 200], attempts.Select(a => a.AnsweredStatus));
        Assert.Single(attempts.Select(a => a.Body).Distinct());
        Assert.Equal(1, JsonDocument.Parse(delivered.Body).RootElement.GetProperty("sequence").GetInt64());
        Assert.True(WebhookSignature.Verify(hook.Secret!, delivered.Signature, delivered.Body));
    }

    [Fact]
    public async Task FanOutAsync_SameStreamEventTwice_QueuedAndDeliveredOnce()
    {
        await using var receiver = new WebhookReceiver();
        var key = await Server.CreateKeyAsync("wh-redeliver", Scopes.Admin);
        using var client = Server.Client(key.Secret);
        await SubscribeAsync(client, receiver.Url, "asset.registered");
        var fanOut = Server.App.Services.GetRequiredService<WebhookFanOut>();
        var @event = new Provenance.Storage.Postgres.Streams.OutboxEvent(
            long.MaxValue - Random.Shared.Next(1_000_000), "assets", null, "asset.registered", "wh-redeliver", """{"assetId":"d1"}"""u8.ToArray(), DateTimeOffset.UtcNow);

        var first = await fanOut.FanOutAsync(@event, CancellationToken.None);
        var again = await fanOut.FanOutAsync(@event, CancellationToken.None);
        var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(1));
        await Task.Delay(500);

        Assert.Equal(1, first);
        Assert.Equal(0, again);
        Assert.Single(receiver.Requests);
        Assert.Equal($"evt_assets_{@event.Position}", JsonDocument.Parse(delivered.Body).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void Signature_KnownAnswer_MatchesHmacOfTimestampDotBody()
    {
        var header = WebhookSignature.Create("whsec_test", 1700000000, "{\"a\":1}");

        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec_test"), Encoding.UTF8.GetBytes("1700000000.{\"a\":1}")));
        Assert.Equal("t=1700000000,v1=" + expected, header);
        Assert.True(WebhookSignature.Verify("whsec_test", header, "{\"a\":1}"));
        Assert.False(WebhookSignature.Verify("whsec_test", header.Replace("t=1700000000", "t=1700000001", StringComparison.Ordinal), "{\"a\":1}"));
        Assert.False(WebhookSignature.Verify("whsec_test", "garbage", "{\"a\":1}"));
    }
}
