using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Tests.Lineage;

/// <summary>Restrictions propagate to descendants unless an approval lifts them; a fresh cluster and database per test.</summary>
public sealed class RestrictionInheritanceTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    public async Task InitializeAsync()
    {
        _node = await Node.StartPostgresAsync(await db.CreateDatabaseAsync(migrate: true), new InMemoryKeyStore());
        await _node.Asset("ri-a").RegisterAsync(Alice, Request("ri-a") with { Restrictions = ["no-commercial-use"] });
        await _node.RegisterAsync("ri-b", "ri-a");
        await _node.RegisterAsync("ri-c", "ri-b");
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task GetAsync_Grandchild_InheritsFromTheImposingAncestor()
    {
        var c = await _node.Asset("ri-c").GetAsync(Alice);

        Assert.Equal([new InheritedRestrictionDto("no-commercial-use", "ri-a")], c.InheritedRestrictions);
        Assert.Empty(c.Restrictions);
    }

    [Fact]
    public async Task RestrictAsync_AfterChildrenExist_ReachesThemWithinTheCacheNotificationDelay()
    {
        await _node.Asset("ri-b").RestrictAsync(Alice, new RestrictionRequest("licence-cc-by", "source licence"));

        var c = await ReadUntilAsync("ri-c", c => c.InheritedRestrictions.Any(r => r.Restriction == "licence-cc-by"));

        Assert.Contains(new InheritedRestrictionDto("licence-cc-by", "ri-b"), c.InheritedRestrictions);
        Assert.Contains(new InheritedRestrictionDto("no-commercial-use", "ri-a"), c.InheritedRestrictions);
    }

    [Fact]
    public async Task ApproveAsync_LiftOnMiddleAsset_FreesItAndItsDescendantsButNotTheOrigin()
    {
        var approved = await _node.Asset("ri-b").ApproveAsync(Alice, new ApprovalRequest("commercial", "licensed from owner", ["no-commercial-use"]));

        var a = await _node.Asset("ri-a").GetAsync(Alice);
        var c = await ReadUntilAsync("ri-c", c => c.InheritedRestrictions.Count == 0);
        Assert.Empty(approved.InheritedRestrictions);
        Assert.Equal(LifecycleStatus.Approved, approved.Status);
        Assert.Empty(c.InheritedRestrictions);
        Assert.Equal(["no-commercial-use"], a.Restrictions);
        var manifest = await _node.Asset("ri-b").GetManifestAsync(Alice);
        Assert.Contains(manifest.Manifest.GetProperty("approvals").EnumerateArray(), e => e.GetProperty("scope").GetString() == "lift:no-commercial-use");
    }

    [Fact]
    public async Task ApproveAsync_LiftThenReimposedBelow_AppliesAgainFromThere()
    {
        await _node.Asset("ri-b").ApproveAsync(Alice, new ApprovalRequest("commercial", null, ["no-commercial-use"]));

        await _node.Asset("ri-c").RestrictAsync(Alice, new RestrictionRequest("no-commercial-use"));
        await _node.RegisterAsync("ri-d", "ri-c");

        var d = await _node.Asset("ri-d").GetAsync(Alice);
        Assert.Equal([new InheritedRestrictionDto("no-commercial-use", "ri-c")], d.InheritedRestrictions);
    }

    [Fact]
    public async Task ApproveAsync_LiftOfOwnOrUnknownRestriction_ValidationFailedWithNothingWritten()
    {
        var own = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            _node.Asset("ri-a").ApproveAsync(Alice, new ApprovalRequest("commercial", null, ["no-commercial-use"])));
        var unknown = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            _node.Asset("ri-c").ApproveAsync(Alice, new ApprovalRequest("commercial", null, ["no-such-thing"])));

        Assert.Equal("lifts[0]", own.Field);
        Assert.Equal("lifts[0]", unknown.Field);
        Assert.Empty((await _node.Asset("ri-a").GetAsync(Alice)).Approvals);
        Assert.Empty((await _node.Asset("ri-c").GetAsync(Alice)).Approvals);
    }

    [Fact]
    public async Task GetAsync_TwoParentsOneLifted_StillInheritsThroughTheOther()
    {
        await _node.Asset("ri-other").RegisterAsync(Alice, Request("ri-other") with { Restrictions = ["no-commercial-use"] });
        await _node.RegisterAsync("ri-merge", "ri-b", "ri-other");

        await _node.Asset("ri-b").ApproveAsync(Alice, new ApprovalRequest("commercial", null, ["no-commercial-use"]));

        var merge = await ReadUntilAsync("ri-merge", m => m.InheritedRestrictions.All(r => r.FromAssetId != "ri-a"));
        Assert.Equal([new InheritedRestrictionDto("no-commercial-use", "ri-other")], merge.InheritedRestrictions);
    }

    /// <summary>
    /// Reads an asset until <paramref name="done"/> holds or 5 s pass. The asset may live on the other silo, whose
    /// lineage cache learns of a change to an ancestor by notification, typically milliseconds later (docs/grains.md).
    /// </summary>
    private async Task<AssetDto> ReadUntilAsync(string assetId, Func<AssetDto, bool> done)
    {
        var dto = await _node.Asset(assetId).GetAsync(Alice);
        for (var wait = 0; !done(dto) && wait < 50; wait++)
        {
            await Task.Delay(100);
            dto = await _node.Asset(assetId).GetAsync(Alice);
        }

        return dto;
    }
}
