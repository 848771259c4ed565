using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Hosting;

public sealed class ServerRestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Restart_AssetsKeysAndSigningKeysSurvive()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "provenance-server-tests", Guid.NewGuid().ToString("N")[..12]);
        var connectionString = await postgres.CreateDatabaseAsync(migrate: false);
        AssetDto asset;
        PublicKeyDto[] keysBefore;
        string tenantKey;
        await using (var first = await TestServer.StartAsync(connectionString, dataDirectory))
        {
            tenantKey = (await first.CreateKeyAsync("restart-assets", Scopes.All.ToArray())).Secret!;
            using var client = first.Client(tenantKey);
            var response = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, "sha256:" + new string('c', 64), "image/png"), ApiJson.Options);
            asset = (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
            keysBefore = (await client.GetFromJsonAsync<PublicKeyDto[]>("v1/keys", ApiJson.Options))!;
        }

        await using var second = await TestServer.StartAsync(connectionString, dataDirectory);
        using var again = second.Client(tenantKey);

        var read = await again.GetFromJsonAsync<AssetDto>($"v1/assets/{asset.AssetId}", ApiJson.Options);
        var verify = await again.PostAsJsonAsync("v1/verify", new VerifyRequest(asset.AssetId), ApiJson.Options);
        var keysAfter = await again.GetFromJsonAsync<PublicKeyDto[]>("v1/keys", ApiJson.Options);

        Assert.Equal(asset.ManifestHash, read!.ManifestHash);
        Assert.Equal(CheckOutcome.Pass, (await verify.Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!.Checks.Single(c => c.Name == "signature").Outcome);
        Assert.Equal(keysBefore.Select(k => k.Kid).Order(), keysAfter!.Select(k => k.Kid).Order());
    }

    [Fact]
    public async Task Upload_KeepFilesOn_StoresBytesNamedByHash()
    {
        var connectionString = await postgres.CreateDatabaseAsync(migrate: false);
        await using var server = await TestServer.StartAsync(connectionString, null, "--Provenance:Uploads:KeepFiles=true");
        using var client = server.Client(server.AdminKey);
        var bytes = Encoding.UTF8.GetBytes("keep me " + Guid.NewGuid());
        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"mediaType":"text/plain"}""", Encoding.UTF8, "application/json"), "claims" },
            { new ByteArrayContent(bytes), "file", "keep.txt" },
        };

        var response = await client.PostAsync("v1/assets/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var kept = Path.Combine(server.DataDirectory, "uploads", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(kept));
        Assert.Single(Directory.GetFiles(Path.Combine(server.DataDirectory, "uploads")));
    }
}
