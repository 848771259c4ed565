using System.Text;
using Provenance.Core.Signing;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Tests.Signing;

/// <summary>The verify path's memory of manifest signatures that passed: reused while the ring stays, never for failures or other bytes.</summary>
public sealed class ManifestSignatureCacheTests
{
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("{\"assetId\":\"m-1\"}");

    [Fact]
    public async Task Verify_SameJwsAndBytesAgain_SignatureCheckedOnce()
    {
        var signer = new CountingSigner(await ManifestSigner.CreateAsync(new InMemoryKeyStore(), createKeyIfNone: true));
        var signed = signer.Sign(Manifest);
        var cache = new ManifestSignatureCache(signer);

        var first = cache.Verify(signed.Jws, Manifest, out var firstKid);
        var second = cache.Verify(signed.Jws, Manifest, out var secondKid);

        Assert.True(first);
        Assert.True(second);
        Assert.Equal(signed.KeyId, firstKid);
        Assert.Equal(signed.KeyId, secondKid);
        Assert.Equal(1, signer.Verifications);
    }

    [Fact]
    public async Task Verify_KeyRevokedAfterAPass_FailsAgain()
    {
        var store = new InMemoryKeyStore();
        var signer = await ManifestSigner.CreateAsync(store, createKeyIfNone: true);
        var signed = signer.Sign(Manifest);
        var cache = new ManifestSignatureCache(signer);
        Assert.True(cache.Verify(signed.Jws, Manifest, out _));

        await store.SetStatusAsync(signed.KeyId, KeyStatus.Revoked);
        await signer.ReloadAsync(default);

        var error = Assert.Throws<RevokedKeyException>(() => cache.Verify(signed.Jws, Manifest, out _));
        Assert.Equal(signed.KeyId, error.Kid);
    }

    [Fact]
    public async Task Verify_RingReloadedWithoutChange_ChecksAgainAndStillPasses()
    {
        var store = new InMemoryKeyStore();
        var signer = new CountingSigner(await ManifestSigner.CreateAsync(store, createKeyIfNone: true));
        var signed = signer.Sign(Manifest);
        var cache = new ManifestSignatureCache(signer);
        cache.Verify(signed.Jws, Manifest, out _);

        await signer.ReloadAsync(default);

        Assert.True(cache.Verify(signed.Jws, Manifest, out _));
        Assert.Equal(2, signer.Verifications);
    }

    [Fact]
    public async Task Verify_TamperedSignature_FailsEveryTimeAndIsNeverRemembered()
    {
        var signer = new CountingSigner(await ManifestSigner.CreateAsync(new InMemoryKeyStore(), createKeyIfNone: true));
        var signed = signer.Sign(Manifest);
        var tampered = signed.Jws[..^2] + (signed.Jws[^2] == 'A' ? "B" : "A") + signed.Jws[^1];
        var cache = new ManifestSignatureCache(signer);

        Assert.ThrowsAny<Core.ProvenanceException>(() => cache.Verify(tampered, Manifest, out _));
        Assert.ThrowsAny<Core.ProvenanceException>(() => cache.Verify(tampered, Manifest, out _));

        Assert.Equal(2, signer.Verifications);
    }

    [Fact]
    public async Task Verify_PassedJwsWithOtherBytes_NotAPass()
    {
        var signer = await ManifestSigner.CreateAsync(new InMemoryKeyStore(), createKeyIfNone: true);
        var signed = signer.Sign(Manifest);
        var cache = new ManifestSignatureCache(signer);
        Assert.True(cache.Verify(signed.Jws, Manifest, out _));
        var other = Manifest.ToArray();
        other[^2] ^= 1;

        var matches = cache.Verify(signed.Jws, other, out var kid);

        Assert.False(matches);
        Assert.Equal(signed.KeyId, kid);
        Assert.True(cache.Verify(signed.Jws, Manifest, out _));
    }

    [Fact]
    public async Task Verify_PayloadDiffers_NotRememberedAsAPass()
    {
        var signer = new CountingSigner(await ManifestSigner.CreateAsync(new InMemoryKeyStore(), createKeyIfNone: true));
        var signed = signer.Sign(Manifest);
        var cache = new ManifestSignatureCache(signer);
        var other = Encoding.UTF8.GetBytes("{\"assetId\":\"m-2\"}");

        Assert.False(cache.Verify(signed.Jws, other, out _));
        Assert.False(cache.Verify(signed.Jws, other, out _));

        Assert.Equal(2, signer.Verifications);
    }

    /// <summary>Counts the full signature checks that reach the signer.</summary>
    private sealed class CountingSigner(IManifestSigner inner) : IManifestSigner
    {
        private int verifications;

        public int Verifications => Volatile.Read(ref verifications);

        public KeyRing KeyRing => inner.KeyRing;

        public SignedManifest Sign(ReadOnlySpan<byte> canonicalManifest) => inner.Sign(canonicalManifest);

        public VerifiedJws Verify(string compactJws)
        {
            Interlocked.Increment(ref verifications);
            return inner.Verify(compactJws);
        }

        public Task ReloadAsync(CancellationToken cancellationToken) => inner.ReloadAsync(cancellationToken);
    }
}
