using System.Net;
using System.Net.Http.Json;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Server.Hosting;
using Provenance.Server.Signing;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Signing;

/// <summary><c>signing-keys</c> commands on a key folder, and a running server picking their changes up without a restart.</summary>
public sealed class SigningKeyRotationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "provenance-signing-cmd", Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Commands_RotateThenRevokeTheActiveKey_NewKeysSignAndTheRevokedOneIsFinal()
    {
        var stores = new SigningKeyStores(new ProvenanceOptions { DataDirectory = folder });
        await stores.EnsureActiveKeysAsync(CancellationToken.None);
        var first = Active(await stores.ManifestKeys.LoadAllAsync());
        var logKey = Active(await stores.LogKeys.LoadAllAsync());

        var (rotate, rotated) = await RunAsync(stores, "rotate", "manifest");
        var second = Active(await stores.ManifestKeys.LoadAllAsync());
        var (revoke, revoked) = await RunAsync(stores, "revoke", "manifest", second);
        var third = Active(await stores.ManifestKeys.LoadAllAsync());
        var (list, listed) = await RunAsync(stores, "list");

        Assert.Equal((0, 0, 0), (rotate, revoke, list));
        Assert.Contains($"new active key {second}; {first} retired", rotated, StringComparison.Ordinal);
        Assert.Contains($"{second} revoked; new active key {third}", revoked, StringComparison.Ordinal);
        Assert.Equal(3, new HashSet<string> { first, second, third }.Count);
        var statuses = (await stores.ManifestKeys.LoadAllAsync()).ToDictionary(k => k.Kid, k => k.Status);
        Assert.Equal(KeyStatus.Retired, statuses[first]);
        Assert.Equal(KeyStatus.Revoked, statuses[second]);
        Assert.Equal(KeyStatus.Active, statuses[third]);
        Assert.Equal(logKey, Active(await stores.LogKeys.LoadAllAsync()));
        Assert.Contains($"manifest\t{second}\trevoked", listed, StringComparison.Ordinal);
        Assert.Contains($"log\t{logKey}\tactive", listed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "rotate")]
    [InlineData(2, "rotate", "tsa")]
    [InlineData(2, "revoke", "manifest")]
    [InlineData(1, "revoke", "log", "no-such-kid")]
    public async Task Commands_BadOrUnknown_NonZeroWithOneLineAndNothingChanged(int exit, params string[] args)
    {
        var stores = new SigningKeyStores(new ProvenanceOptions { DataDirectory = folder });
        await stores.EnsureActiveKeysAsync(CancellationToken.None);
        var before = await File.ReadAllTextAsync(Path.Combine(stores.LogKeys.Folder, "keys.json"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await SigningKeyCommands.RunAsync(stores, args, output, error, CancellationToken.None);

        Assert.Equal(exit, code);
        Assert.Equal("", output.ToString());
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(stores.LogKeys.Folder, "keys.json")));
    }

    [Fact]
    public async Task RunningServer_KeyRotatedThenRevoked_SignsWithTheNewKeyAndStopsTrustingTheOld()
    {
        await using var server = await TestServer.StartAsync(await postgres.CreateDatabaseAsync(migrate: false), null, "--Provenance:SigningKeyReloadSeconds=0.1");
        using var client = server.Client(server.AdminKey);
        var stores = new SigningKeyStores(new ProvenanceOptions { DataDirectory = server.DataDirectory });
        var before = await RegisterAsync(client);

        Assert.Equal(0, (await RunAsync(stores, "rotate", "manifest")).Exit);
        var rotated = Active(await stores.ManifestKeys.LoadAllAsync());
        var after = await WaitAsync(() => RegisterAsync(client), a => a.SigningKeyId == rotated);
        Assert.NotEqual(before.SigningKeyId, rotated);
        Assert.Equal("pass", await SignatureCheckAsync(client, before.AssetId));

        Assert.Equal(0, (await RunAsync(stores, "revoke", "manifest", before.SigningKeyId)).Exit);
        Assert.Equal("fail", await WaitAsync(() => SignatureCheckAsync(client, before.AssetId), outcome => outcome == "fail"));
        Assert.Equal("pass", await SignatureCheckAsync(client, after.AssetId));
    }

    private static string Active(IReadOnlyList<StoredKey> keys) => Assert.Single(keys, k => k.Status == KeyStatus.Active).Kid;

    private static async Task<(int Exit, string Output)> RunAsync(SigningKeyStores stores, params string[] args)
    {
        using var output = new StringWriter();
        var exit = await SigningKeyCommands.RunAsync(stores, args, output, TextWriter.Null, CancellationToken.None);
        return (exit, output.ToString());
    }

    private static async Task<AssetDto> RegisterAsync(HttpClient client)
    {
        var hash = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var response = await client.PostAsJsonAsync("v1/assets", new RegisterAssetRequest(null, hash, "image/png"), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!;
    }

    private static async Task<string> SignatureCheckAsync(HttpClient client, string assetId)
    {
        var result = (await (await client.PostAsJsonAsync("v1/verify", new VerifyRequest(assetId), ApiJson.Options)).Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
        return Assert.Single(result.Checks, c => c.Name == "signature").Outcome.ToString().ToLowerInvariant();
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var value = await probe();
        for (var i = 0; i < 100 && !done(value); i++)
        {
            await Task.Delay(100);
            value = await probe();
        }

        return value;
    }
}
