using System.Security.Cryptography;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Core.Signing;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using static Provenance.Grains.Tests.TestSupport.Assets;

namespace Provenance.Grains.Tests.Assets;

/// <summary>The one-call read POST /v1/verify uses; in-memory storage.</summary>
public sealed class AssetVerificationRecordTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ClusterHost _node = fixture.Node;


    [Fact]
    public async Task GetVerificationRecordAsync_AfterTransition_CurrentRevisionAsTheManifestShowsIt()
    {
        await _node.RegisterAsync("vr-parent");
        await _node.RegisterAsync("vr-1", "vr-parent");
        await _node.Asset("vr-1").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Moderated));

        var record = await _node.Asset("vr-1").GetVerificationRecordAsync(Alice);

        var manifest = await _node.Asset("vr-1").GetManifestAsync(Alice);
        Assert.Equal(2, record.Summary.Revision);
        Assert.Equal(HashOf("vr-1"), record.Summary.ContentHash);
        Assert.Equal(["vr-parent"], record.Summary.Parents.Select(p => p.AssetId));
        Assert.Equal(manifest.Jws, record.Jws);
        Assert.Equal(manifest.KeyId, record.KeyId);
        Assert.Equal(manifest.ManifestHash, record.ManifestHash);
        Assert.Equal(Convert.FromBase64String(manifest.CanonicalBase64), record.CanonicalManifest);
        Assert.Equal(record.ManifestHash, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(record.CanonicalManifest)));
    }

    [Fact]
    public async Task GetVerificationRecordAsync_OtherTenant_NotFound()
    {
        await _node.RegisterAsync("vr-private");

        var error = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("vr-private").GetVerificationRecordAsync(Bob));

        Assert.Equal("not-found", error.Code);
    }

    [Fact]
    public async Task GetVerificationRecordAsync_NotRegistered_NotFound()
    {
        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("vr-nobody").GetVerificationRecordAsync(Alice));
    }

    [Fact]
    public async Task GetVerificationRecordAsync_CallerChangesTheBytes_NextCallGetsTheStoredOnes()
    {
        await _node.RegisterAsync("vr-copy");
        var first = await _node.Asset("vr-copy").GetVerificationRecordAsync(Alice);
        var original = first.CanonicalManifest.ToArray();

        first.CanonicalManifest[0] ^= 0xff;
        var second = await _node.Asset("vr-copy").GetVerificationRecordAsync(Alice);

        Assert.Equal(original, second.CanonicalManifest);
    }
}
