using System.Net;
using System.Net.Http.Json;
using Provenance.Core.Contracts;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Hosting;

/// <summary><c>Provenance:Tsa:Authorities</c>: configured TSAs are used instead of the built-in one; a failing TSA never fails a request.</summary>
public sealed class ExternalTsaTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task ConfiguredTsas_OneGrantsOneFails_EpochSealedGrantedAndPending()
    {
        await using var tsaServer = await TestServer.StartAsync(await postgres.CreateDatabaseAsync(migrate: false));
        var rootPath = Path.Combine(tsaServer.DataDirectory, "external-root.pem");
        await File.WriteAllTextAsync(rootPath, await tsaServer.Client().GetStringAsync("tsa/root"));
        var deadPort = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        deadPort.Start();
        var deadUrl = $"http://127.0.0.1:{((IPEndPoint)deadPort.LocalEndpoint).Port}/tsa";
        deadPort.Stop();

        await using var server = await TestServer.StartAsync(await postgres.CreateDatabaseAsync(migrate: false), null,
            "--Provenance:Tsa:Authorities:0:Name=external", $"--Provenance:Tsa:Authorities:0:Url={new Uri(tsaServer.BaseAddress, "tsa")}",
            $"--Provenance:Tsa:Authorities:0:TrustAnchorPaths:0={rootPath}",
            "--Provenance:Tsa:Authorities:1:Name=down", $"--Provenance:Tsa:Authorities:1:Url={deadUrl}",
            $"--Provenance:Tsa:Authorities:1:TrustAnchorPaths:0={rootPath}", "--Provenance:Tsa:Authorities:1:TimeoutSeconds=2");
        using var client = server.Client(server.AdminKey);
        var registered = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, "sha256:" + new string('e', 64), "image/png"), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var trigger = await client.PostAsync("v1/epochs/trigger", null);

        Assert.Equal(HttpStatusCode.OK, trigger.StatusCode);
        var epoch = (await trigger.Content.ReadFromJsonAsync<TriggerResultDto>(ApiJson.Options))!.Epoch;
        EpochDto? state = null;
        for (var i = 0; i < 100; i++)
        {
            state = await client.GetFromJsonAsync<EpochDto>($"v1/epochs/{epoch}", ApiJson.Options);
            if (state!.Timestamps.Single(t => t.Tsa == "external").State == TimestampState.Granted && state.Timestamps.Single(t => t.Tsa == "down").Attempts > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(TimestampState.Granted, state!.Timestamps.Single(t => t.Tsa == "external").State);
        var down = state.Timestamps.Single(t => t.Tsa == "down");
        Assert.NotEqual(TimestampState.Granted, down.State);
        Assert.NotNull(down.LastError);
        Assert.DoesNotContain(state.Timestamps, t => t.Tsa == "builtin");
        var metrics = await server.Client().GetStringAsync("metrics");
        Assert.Matches(@"provenance_tsa_failures_total\{tsa=""down""\} [1-9]", metrics);
        Assert.Contains("provenance_tsa_latency_milliseconds_count{tsa=\"external\"} 1", metrics, StringComparison.Ordinal);
    }
}
