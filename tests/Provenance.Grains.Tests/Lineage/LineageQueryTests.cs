using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Assets;
using Provenance.Grains.Tenants;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Tests.Lineage;

/// <summary>
/// Lineage answers over a small fixed graph (registered once per class):
/// <code>
///   lq-a     lq-b
///     \     /   \
///      lq-c     lq-d
///        \     /
///         lq-e
///          |
///         lq-f
/// </code>
/// plus lq-root with 250 children, and a chain of tenant-x (trusting tenant-a) → lq-x0 → lq-xchild.
/// </summary>
public sealed class LineageQueryTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    public async Task InitializeAsync()
    {
        _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());
        if (await _node.Asset("lq-f").GetSummaryAsync() is not null)
        {
            return;
        }

        await _node.RegisterAsync("lq-a");
        await _node.RegisterAsync("lq-b");
        await _node.RegisterAsync("lq-c", "lq-a", "lq-b");
        await _node.RegisterAsync("lq-d", "lq-b");
        await _node.RegisterAsync("lq-e", "lq-c", "lq-d");
        await _node.RegisterAsync("lq-f", "lq-e");
        await _node.RegisterAsync("lq-root");
        await Task.WhenAll(Enumerable.Range(0, 250).Select(i => _node.RegisterAsync($"lq-root-{i:D3}", "lq-root")));
        var tenantX = CallerContext.System("tenant-x");
        await _node.Grains.GetGrain<ITenantGrain>("tenant-x").SetPolicyAsync(tenantX, new TenantPolicyDto(TrustedTenants: ["tenant-a"]));
        await _node.RegisterAsync(tenantX, "lq-x0");
        await _node.RegisterAsync("lq-xchild", "lq-x0");
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task GetAncestorsAsync_Diamond_BreadthFirstByDepthThenIdWithEachNodeOnce()
    {
        var page = await _node.Asset("lq-f").GetAncestorsAsync(Alice, new LineageQuery());

        Assert.Equal(["lq-e:1", "lq-c:2", "lq-d:2", "lq-a:3", "lq-b:3"], page.Nodes.Select(n => $"{n.AssetId}:{n.Depth}"));
        Assert.Null(page.NextCursor);
        var c = page.Nodes.Single(n => n.AssetId == "lq-c");
        Assert.Equal("lq-e", c.ViaAssetId);
        Assert.Equal("Title of lq-c", c.Title);
        Assert.Equal(2, c.ParentCount);
        Assert.Equal(1, c.ChildCount);
        Assert.Equal(LifecycleStatus.Generated, c.Status);
        Assert.Equal("painter-2", c.Model);
    }

    [Fact]
    public async Task GetAncestorsAsync_DepthLimit_StopsAtThatGeneration()
    {
        var page = await _node.Asset("lq-f").GetAncestorsAsync(Alice, new LineageQuery(Depth: 2));

        Assert.Equal(["lq-e", "lq-c", "lq-d"], page.Nodes.Select(n => n.AssetId));
    }

    [Fact]
    public async Task GetAncestorsAsync_PagesOfTwo_ConcatenateToTheFullAnswer()
    {
        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _node.Asset("lq-f").GetAncestorsAsync(Alice, new LineageQuery(Limit: 2, Cursor: cursor));
            ids.AddRange(page.Nodes.Select(n => n.AssetId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(["lq-e", "lq-c", "lq-d", "lq-a", "lq-b"], ids);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task GetDescendantsAsync_Diamond_ReachesSharedChildOnceAtItsSmallestDepth()
    {
        var page = await _node.Asset("lq-b").GetDescendantsAsync(Alice, new LineageQuery());

        Assert.Equal(["lq-c:1", "lq-d:1", "lq-e:2", "lq-f:3"], page.Nodes.Select(n => $"{n.AssetId}:{n.Depth}"));
        Assert.Equal("lq-c", page.Nodes.Single(n => n.AssetId == "lq-e").ViaAssetId);
    }

    [Fact]
    public async Task GetDescendantsAsync_250ChildrenInPagesOf100_EveryChildOnceThenNoCursor()
    {
        var seen = new List<string>();
        var first = await _node.Asset("lq-root").GetDescendantsAsync(Alice, new LineageQuery(Limit: 100));
        var second = await _node.Asset("lq-root").GetDescendantsAsync(Alice, new LineageQuery(Limit: 100, Cursor: first.NextCursor));
        var third = await _node.Asset("lq-root").GetDescendantsAsync(Alice, new LineageQuery(Limit: 100, Cursor: second.NextCursor));
        seen.AddRange(first.Nodes.Concat(second.Nodes).Concat(third.Nodes).Select(n => n.AssetId));

        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"lq-root-{i:D3}"), seen);
        Assert.NotNull(second.NextCursor);
        Assert.Null(third.NextCursor);
        Assert.Equal(50, third.Nodes.Count);
    }

    [Fact]
    public async Task GetDescendantsAsync_ChildRegisteredOnAnotherNode_VisibleToTheNextQuery()
    {
        await using var other = await _node.AddSiloAsync();
        var before = await _node.Asset("lq-d").GetDescendantsAsync(Alice, new LineageQuery(Depth: 1));

        await other.RegisterAsync("lq-d-late", "lq-d");
        var after = await _node.Asset("lq-d").GetDescendantsAsync(Alice, new LineageQuery(Depth: 1));

        Assert.DoesNotContain(before.Nodes, n => n.AssetId == "lq-d-late");
        Assert.Contains(after.Nodes, n => n.AssetId == "lq-d-late");
    }

    [Fact]
    public async Task GetDescendantsAsync_MalformedCursor_ValidationFailed()
    {
        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            _node.Asset("lq-root").GetDescendantsAsync(Alice, new LineageQuery(Cursor: "not-a-cursor")));

        Assert.Equal("cursor", error.Field);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10_001, 10)]
    [InlineData(10, 0)]
    [InlineData(10, 1_001)]
    public async Task GetAncestorsAsync_DepthOrLimitOutOfRange_ValidationFailed(int depth, int limit)
    {
        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            _node.Asset("lq-f").GetAncestorsAsync(Alice, new LineageQuery(depth, limit)));

        Assert.Contains(error.Field, new[] { "depth", "limit" });
    }

    [Fact]
    public async Task GetPathToAsync_Ancestor_ShortestChainFromDescendantUp()
    {
        var path = await _node.Asset("lq-f").GetPathToAsync(Alice, "lq-b");

        Assert.True(path.Found);
        Assert.Equal(4, path.Path.Count);
        Assert.Equal("lq-f", path.Path[0].AssetId);
        Assert.Equal("lq-e", path.Path[1].AssetId);
        Assert.Equal("lq-b", path.Path[^1].AssetId);
        Assert.Equal([0, 1, 2, 3], path.Path.Select(n => n.Depth));
    }

    [Fact]
    public async Task GetPathToAsync_NotAnAncestor_NotFound()
    {
        var path = await _node.Asset("lq-c").GetPathToAsync(Alice, "lq-d");

        Assert.False(path.Found);
        Assert.Empty(path.Path);
    }

    [Fact]
    public async Task GetRootsAsync_Derivative_ParentlessAncestorsById()
    {
        var roots = await _node.Asset("lq-f").GetRootsAsync(Alice);
        var self = await _node.Asset("lq-a").GetRootsAsync(Alice);

        Assert.Equal(["lq-a", "lq-b"], roots.Select(n => n.AssetId));
        Assert.Equal(3, roots[0].Depth);
        Assert.Equal(["lq-a"], self.Select(n => n.AssetId));
    }

    [Fact]
    public async Task GetAncestorsAsync_OtherTenantsAncestor_RedactedToIdAndHash()
    {
        var page = await _node.Asset("lq-xchild").GetAncestorsAsync(Alice, new LineageQuery());

        var node = Assert.Single(page.Nodes);
        Assert.True(node.Redacted);
        Assert.Equal("lq-x0", node.AssetId);
        Assert.Equal(HashOf("lq-x0"), node.ContentHash);
        Assert.Null(node.Title);
        Assert.Null(node.Model);
        Assert.Null(node.Creator);
    }

    [Fact]
    public async Task GetDescendantsAsync_OtherTenantsAsset_NotFound()
    {
        var error = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("lq-x0").GetDescendantsAsync(Alice, new LineageQuery()));

        Assert.Equal("not-found", error.Code);
    }
}
