using Provenance.Core.Signing;
using Provenance.Server.Signing;

namespace Provenance.Server.Tests.Signing;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileKeyStoreTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "provenance-keystore-tests", Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task EnsureActiveKey_ManyStoresOnOneFolderAtOnce_CreateExactlyOneKey()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new FileKeyStore(folder)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.EnsureActiveKeyAsync(CancellationToken.None))));

        var keys = await new FileKeyStore(folder).LoadAllAsync();
        var key = Assert.Single(keys);
        Assert.Equal(KeyStatus.Active, key.Status);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, key.Kid + ".pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Contains("\"Active\"", await File.ReadAllTextAsync(Path.Combine(folder, "keys.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_NewActiveKey_RetiresThePrevious_AndRevokedIsFinal()
    {
        var store = new FileKeyStore(folder);
        var first = StoredKey.From(SigningKey.Generate(), KeyStatus.Active);
        var second = StoredKey.From(SigningKey.Generate(), KeyStatus.Active);

        await store.SaveAsync(first);
        await store.SaveAsync(second);
        await store.SetStatusAsync(first.Kid, KeyStatus.Revoked);

        var keys = (await new FileKeyStore(folder).LoadAllAsync()).ToDictionary(k => k.Kid);
        Assert.Equal(KeyStatus.Revoked, keys[first.Kid].Status);
        Assert.Equal(KeyStatus.Active, keys[second.Kid].Status);
        await Assert.ThrowsAsync<KeyStatusTransitionException>(async () => await store.SetStatusAsync(first.Kid, KeyStatus.Active));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(first));
        await Assert.ThrowsAsync<UnknownKeyException>(async () => await store.SetStatusAsync("nokey", KeyStatus.Retired));
        var ring = KeyRing.FromStoredKeys(await store.LoadAllAsync());
        Assert.Equal(second.Kid, ring.Active.Kid);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
