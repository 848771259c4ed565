using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Signing;
using Provenance.Grains.Search;
using Provenance.Grains.Tenants;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;

using Provenance.Grains.Tests.TestSupport;

namespace Provenance.Grains.Tests.Search;

public sealed class AssetDirectoryTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    private IAssetDirectory Directory => _node.Services.GetRequiredService<IAssetDirectory>();

    public async Task InitializeAsync()
    {
        _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());
        if (await _node.Asset("sd-fox").GetSummaryAsync() is null)
        {
            await _node.Asset("sd-fox").RegisterAsync(Alice, Request("sd-fox") with { Title = "Crimson Fox at dawn", Tags = ["wildlife"] });
            await _node.Asset("sd-owl").RegisterAsync(Alice, Request("sd-owl") with { Title = "Snowy owl", Tags = ["wildlife"] });
            await _node.Asset("sd-bob-fox").RegisterAsync(Bob, Request("sd-bob-fox") with { Title = "Another fox" });
            await _node.Asset("sd-copy").RegisterAsync(Bob, Request("sd-copy") with { ContentHash = HashOf("sd-fox") });
        }
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task FindByTokenAsync_TitleWordAnyCase_OnlyTheCallersTenant()
    {
        var page = await Directory.FindByTokenAsync(Alice, "FOX", 10, null, default);

        Assert.Equal(["sd-fox"], page.AssetIds);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task FindByTokenAsync_PagesOfOne_CursorWalksEveryMatch()
    {
        var first = await Directory.FindByTokenAsync(Alice, "wildlife", 1, null, default);
        var second = await Directory.FindByTokenAsync(Alice, "wildlife", 1, first.NextCursor, default);

        Assert.Equal(["sd-fox", "sd-owl"], first.AssetIds.Concat(second.AssetIds).Order(StringComparer.Ordinal));
        Assert.NotNull(first.NextCursor);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task FindByContentHashAsync_SameBytesInTwoTenants_BothFoundOtherRedactedOnDescribe()
    {
        var page = await Directory.FindByContentHashAsync(Alice, HashOf("sd-fox"), 10, null, default);
        var nodes = await Directory.DescribeAsync(Alice, page.AssetIds, default);

        Assert.Equal(["sd-copy", "sd-fox"], page.AssetIds.Order(StringComparer.Ordinal));
        Assert.False(nodes.Single(n => n.AssetId == "sd-fox").Redacted);
        Assert.Equal("Crimson Fox at dawn", nodes.Single(n => n.AssetId == "sd-fox").Title);
        Assert.True(nodes.Single(n => n.AssetId == "sd-copy").Redacted);
        Assert.Null(nodes.Single(n => n.AssetId == "sd-copy").Title);
    }

    [Fact]
    public async Task FindByContentHashAsync_MalformedHash_ValidationFailed()
    {
        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => Directory.FindByContentHashAsync(Alice, "sha256:nope", 10, null, default));

        Assert.Equal("hash", error.Field);
    }

    [Fact]
    public async Task FindByTokenAsync_PromptWordsUnderHashedPrivacy_NotIndexed()
    {
        var tenant = CallerContext.System("tenant-hush");
        await _node.Grains.GetGrain<ITenantGrain>("tenant-hush").SetPolicyAsync(tenant, new Core.Contracts.TenantPolicyDto(Core.Contracts.PromptPrivacy.Hashed));
        var family = _node.Grains.GetGrain<Grains.Prompts.IPromptFamilyGrain>(Grains.Prompts.PromptKeys.For("tenant-hush", "hush"));
        await family.CreateVersionAsync(tenant, new Core.Contracts.CreatePromptVersionRequest("1.0.0", null, "confidential marmalade"));
        await _node.Grains.GetGrain<Grains.Prompts.IPromptVersionGrain>(Grains.Prompts.PromptKeys.ForVersion("tenant-hush", "hush", "1.0.0")).ApproveAsync(tenant, new Core.Contracts.PromptStatusRequest());

        await _node.Asset("sd-hush").RegisterAsync(tenant, Request("sd-hush") with { Prompt = new Core.Contracts.PromptVersionRef("hush", "1.0.0") });

        Assert.Empty((await Directory.FindByTokenAsync(tenant, "marmalade", 10, null, default)).AssetIds);
        Assert.Equal(["sd-hush"], (await Directory.FindByTokenAsync(tenant, "sunset", 10, null, default)).AssetIds);
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_SameBytesInTwoTenants_EachGetsItsOwn()
    {
        var alices = await Directory.FindOwnByContentHashAsync(Alice, HashOf("sd-fox"), default);
        var bobs = await Directory.FindOwnByContentHashAsync(Bob, HashOf("sd-fox"), default);

        Assert.Equal("sd-fox", alices);
        Assert.Equal("sd-copy", bobs);
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_OnlyAnotherTenantHasIt_NullEvenAfterTheOwnerLookedItUp()
    {
        Assert.Equal("sd-owl", await Directory.FindOwnByContentHashAsync(Alice, HashOf("sd-owl"), default));

        var bobs = await Directory.FindOwnByContentHashAsync(Bob, HashOf("sd-owl"), default);

        Assert.Null(bobs);
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_NoneThenRegistered_FoundAtOnce()
    {
        var hash = HashOf("sd-late-bytes");
        Assert.Null(await Directory.FindOwnByContentHashAsync(Alice, hash, default));

        await _node.Asset("sd-late").RegisterAsync(Alice, Request("sd-late") with { ContentHash = hash });

        Assert.Equal("sd-late", await Directory.FindOwnByContentHashAsync(Alice, hash, default));
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_FoundTwice_IndexAskedOnce()
    {
        var index = new CountingIndex(_node.Services.GetRequiredService<Core.Storage.IGrainIndex>());
        var directory = new AssetDirectory(index, _node.Services.GetRequiredService<Grains.Lineage.LineageGraph>());

        var first = await directory.FindOwnByContentHashAsync(Alice, HashOf("sd-fox"), default);
        var second = await directory.FindOwnByContentHashAsync(Alice, HashOf("sd-fox"), default);

        Assert.Equal("sd-fox", first);
        Assert.Equal("sd-fox", second);
        Assert.Equal(1, index.Queries);
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_NotFoundTwice_IndexAskedTwice()
    {
        var index = new CountingIndex(_node.Services.GetRequiredService<Core.Storage.IGrainIndex>());
        var directory = new AssetDirectory(index, _node.Services.GetRequiredService<Grains.Lineage.LineageGraph>());

        Assert.Null(await directory.FindOwnByContentHashAsync(Alice, HashOf("sd-nobody"), default));
        Assert.Null(await directory.FindOwnByContentHashAsync(Alice, HashOf("sd-nobody"), default));

        Assert.Equal(2, index.Queries);
    }

    [Fact]
    public async Task FindOwnByContentHashAsync_MalformedHash_ValidationFailed()
    {
        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => Directory.FindOwnByContentHashAsync(Alice, "sha256:nope", default));

        Assert.Equal("hash", error.Field);
    }

    /// <summary>Counts the queries that reach the index.</summary>
    private sealed class CountingIndex(Core.Storage.IGrainIndex inner) : Core.Storage.IGrainIndex
    {
        private int queries;

        public int Queries => Volatile.Read(ref queries);

        public Task<IReadOnlyList<Core.Storage.IndexRecord>> QueryAsync(string index, string key, Core.Storage.IndexCursor after, int limit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref queries);
            return inner.QueryAsync(index, key, after, limit, cancellationToken);
        }

        public Task<long> CountAsync(string index, string key, CancellationToken cancellationToken) => inner.CountAsync(index, key, cancellationToken);
    }
}
