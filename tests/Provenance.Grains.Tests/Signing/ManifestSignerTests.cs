using System.Text;
using Provenance.Core.Signing;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Tests.Signing;

public sealed class ManifestSignerTests
{
    [Fact]
    public async Task Verify_SignedBeforeRotation_StillVerifiesWithRetiredKey()
    {
        var store = new InMemoryKeyStore();
        var signer = await ManifestSigner.CreateAsync(store, createKeyIfNone: true);
        var old = signer.Sign("{\"a\":1}"u8);

        await store.SaveAsync(StoredKey.From(SigningKey.Generate(), KeyStatus.Active));
        await signer.ReloadAsync(default);
        var fresh = signer.Sign("{\"a\":2}"u8);

        Assert.NotEqual(old.KeyId, fresh.KeyId);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(signer.Verify(old.Jws).Payload.Span));
        Assert.Equal(fresh.KeyId, signer.Verify(fresh.Jws).Kid);
    }

    [Fact]
    public async Task Verify_KeyRevoked_Refused()
    {
        var store = new InMemoryKeyStore();
        var signer = await ManifestSigner.CreateAsync(store, createKeyIfNone: true);
        var signed = signer.Sign("{}"u8);

        await store.SetStatusAsync(signed.KeyId, KeyStatus.Revoked);
        await signer.ReloadAsync(default);

        Assert.ThrowsAny<Core.ProvenanceException>(() => signer.Verify(signed.Jws));
    }
}
