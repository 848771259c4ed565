using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Storage;
using Provenance.Core;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Prompts;
using Provenance.Grains.Signing;
using Provenance.Grains.Tenants;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;

namespace Provenance.Grains.Tests.Assets;

public sealed class AssetGrainRegistrationTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    public async Task InitializeAsync() => _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task RegisterAsync_ValidDerivative_WritesStateLogLeafEventAndIndexRowsTogether()
    {
        await _node.RegisterAsync("reg-parent");

        var dto = await _node.RegisterAsync("reg-child", "reg-parent");

        Assert.Equal("reg-child", dto.AssetId);
        Assert.Equal(new Database.Footprint(States: 1, LogEntries: 1, Events: 2, IndexRows: 9), await Database.FootprintAsync(db.DataSource, "reg-child"));
        var index = _node.Services.GetRequiredService<IGrainIndex>();
        Assert.Contains((await index.QueryAsync("children", "reg-parent", IndexCursor.Start, 10, default)), r => r.Value == "reg-child");
        Assert.Equal(["reg-child"], (await index.QueryAsync("by-hash", HashOf("reg-child"), IndexCursor.Start, 10, default)).Select(r => r.Value));
        Assert.Contains((await index.QueryAsync("search", "tenant-a:sunset", IndexCursor.Start, 10, default)), r => r.Value == "reg-child");
        var leaf = await _node.Services.GetRequiredService<ILogStore>().FindBySourceAsync("reg-child@1", default);
        Assert.NotNull(leaf);
        Assert.Equal(dto.ManifestHash, "sha256:" + Convert.ToHexStringLower(leaf.LeafInput));
        var events = await _node.Services.GetRequiredService<IOutboxStore>().ReadAsync("assets", 0, 1000, default);
        var registered = Assert.Single(events, e => Encoding.UTF8.GetString(e.Payload.Span).Contains("\"reg-child\"", StringComparison.Ordinal));
        Assert.Equal("asset.registered", registered.EventType);
        Assert.Equal("tenant-a", registered.Tenant);
        Assert.Contains(dto.ManifestHash, Encoding.UTF8.GetString(registered.Payload.Span), StringComparison.Ordinal);
        var derived = Assert.Single(await _node.Services.GetRequiredService<IOutboxStore>().ReadAsync("derivatives", 0, 1000, default),
            e => Encoding.UTF8.GetString(e.Payload.Span).Contains("\"reg-child\"", StringComparison.Ordinal));
        Assert.Equal(("asset.derived", "tenant-a"), (derived.EventType, derived.Tenant));
    }

    [Fact]
    public async Task GetManifestAsync_Registered_SignatureVerifiesOverCanonicalBytes()
    {
        await _node.RegisterAsync("reg-signed");

        var manifest = await _node.Asset("reg-signed").GetManifestAsync(Alice);

        var verified = _node.Services.GetRequiredService<IManifestSigner>().Verify(manifest.Jws);
        Assert.Equal(Convert.FromBase64String(manifest.CanonicalBase64), verified.Payload.ToArray());
        Assert.Equal(manifest.KeyId, verified.Kid);
        Assert.Equal(manifest.ManifestHash, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(verified.Payload.Span)));
        Assert.Equal("reg-signed", manifest.Manifest.GetProperty("assetId").GetString());
    }

    [Fact]
    public async Task RegisterAsync_RetrySameClaims_SameAnswerAndNothingWrittenTwice()
    {
        var first = await _node.RegisterAsync("reg-retry");

        var retry = await _node.RegisterAsync("reg-retry");

        Assert.Equal(first.ManifestHash, retry.ManifestHash);
        Assert.Equal(first.CreatedAt, retry.CreatedAt);
        Assert.Equal(new Database.Footprint(1, 1, 1, (await Database.FootprintAsync(db.DataSource, "reg-retry")).IndexRows), await Database.FootprintAsync(db.DataSource, "reg-retry"));
        var otherTenant = await Assert.ThrowsAsync<Core.Assets.AssetExistsException>(() => _node.RegisterAsync(Bob, "reg-retry"));
        Assert.Equal("asset-exists", otherTenant.Code);
    }

    [Fact]
    public async Task RegisterAsync_SameIdTwice_SecondGetsAssetExistsAndFirstStays()
    {
        var first = await _node.RegisterAsync("reg-twice");

        var error = await Assert.ThrowsAsync<Core.Assets.AssetExistsException>(() => _node.Asset("reg-twice").RegisterAsync(Alice, Request("reg-twice") with { Title = "other" }));

        Assert.Equal("asset-exists", error.Code);
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal(first.ManifestHash, (await _node.Asset("reg-twice").GetAsync(Alice)).ManifestHash);
        Assert.Equal(1, (await Database.FootprintAsync(db.DataSource, "reg-twice")).LogEntries);
    }

    [Fact]
    public async Task RegisterAsync_UnknownParent_RefusedWithNothingWritten()
    {
        var error = await Assert.ThrowsAsync<Core.Lineage.UnknownParentException>(() => _node.RegisterAsync("reg-orphan", "reg-no-such-parent"));

        Assert.Equal("unknown-parent", error.Code);
        Assert.Equal("parents[0].assetId", error.Field);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-orphan"));
        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("reg-orphan").GetAsync(Alice));
    }

    [Fact]
    public async Task RegisterAsync_NamesItselfAsParent_LineageCycleWithNothingWritten()
    {
        var error = await Assert.ThrowsAsync<Core.Lineage.LineageCycleException>(() => _node.RegisterAsync("reg-self", "reg-self"));

        Assert.Equal("lineage-cycle", error.Code);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-self"));
    }

    [Fact]
    public async Task RegisterAsync_DuplicateParent_ValidationFailedWithNothingWritten()
    {
        await _node.RegisterAsync("reg-dup-parent");

        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => _node.RegisterAsync("reg-dup-child", "reg-dup-parent", "reg-dup-parent"));

        Assert.Equal("parents[1].assetId", error.Field);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-dup-child"));
        Assert.Equal(0, await Database.CountAsync(db.DataSource, "SELECT count(*) FROM grain_index WHERE index_name = 'children' AND key = $1", "reg-dup-parent"));
    }

    [Theory]
    [InlineData("sha256:XYZ", "image/png", "contentHash")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", "image/png", "contentHash")]
    [InlineData(null, "not a media type", "mediaType")]
    public async Task RegisterAsync_MalformedClaim_ValidationFailedNamingTheField(string? hash, string mediaType, string field)
    {
        var request = Request("reg-malformed") with { ContentHash = hash ?? HashOf("x"), MediaType = mediaType };

        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => _node.Asset("reg-malformed").RegisterAsync(Alice, request));

        Assert.Equal(field, error.Field);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-malformed"));
    }

    [Fact]
    public async Task RegisterAsync_ParentOfUntrustingTenant_CrossTenantParentWithNothingWritten()
    {
        await _node.RegisterAsync(Bob, "reg-bob-original");

        var error = await Assert.ThrowsAsync<Core.Lineage.CrossTenantParentException>(() => _node.RegisterAsync("reg-alice-remix", "reg-bob-original"));

        Assert.Equal("cross-tenant-parent", error.Code);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-alice-remix"));
    }

    [Fact]
    public async Task RegisterAsync_ParentOfTrustingTenant_LinkedAndShownRedacted()
    {
        await _node.Grains.GetGrain<ITenantGrain>("tenant-c").SetPolicyAsync(CallerContext.System("tenant-c"), new TenantPolicyDto(TrustedTenants: ["tenant-a"]));
        await _node.RegisterAsync(CallerContext.System("tenant-c"), "reg-carol-original");

        var dto = await _node.RegisterAsync("reg-alice-trusted-remix", "reg-carol-original");

        var parent = Assert.Single(dto.Parents);
        Assert.True(parent.Redacted);
        Assert.Equal(HashOf("reg-carol-original"), parent.ContentHash);
    }

    [Fact]
    public async Task RegisterAsync_BlockedPromptVersion_RefusedWithNothingWritten()
    {
        var family = _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "reg-blocked"));
        await family.CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", null, "a red fox"));
        await _node.Grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion("tenant-a", "reg-blocked", "1.0.0")).BlockAsync(Alice, new PromptStatusRequest("unsafe"));
        var request = Request("reg-blocked-use") with { Prompt = new PromptVersionRef("reg-blocked", "1.0.0") };

        var error = await Assert.ThrowsAsync<Core.Prompts.PromptVersionBlockedException>(() => _node.Asset("reg-blocked-use").RegisterAsync(Alice, request));

        Assert.Equal("prompt-version-blocked", error.Code);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-blocked-use"));
    }

    [Fact]
    public async Task RegisterAsync_DraftPromptWithoutTenantAllowance_NotApprovedUntilPolicyAllowsDrafts()
    {
        var tenant = CallerContext.System("tenant-drafts");
        var family = _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-drafts", "reg-draft"));
        await family.CreateVersionAsync(tenant, new CreatePromptVersionRequest("0.1.0", "be terse", "a red fox"));
        var request = Request("reg-draft-use") with { Prompt = new PromptVersionRef("reg-draft", "0.1.0") };

        var refused = await Assert.ThrowsAsync<Core.Prompts.PromptVersionNotApprovedException>(() => _node.Asset("reg-draft-use").RegisterAsync(tenant, request));
        var footprint = await Database.FootprintAsync(db.DataSource, "reg-draft-use");
        await _node.Grains.GetGrain<ITenantGrain>("tenant-drafts").SetPolicyAsync(tenant, new TenantPolicyDto(AllowDraftPrompts: true));
        var accepted = await _node.Asset("reg-draft-use").RegisterAsync(tenant, request);

        Assert.Equal("prompt-version-not-approved", refused.Code);
        Assert.Equal(Database.Footprint.None, footprint);
        Assert.Equal(new PromptVersionRef("reg-draft", "0.1.0"), accepted.Prompt);
    }

    [Fact]
    public async Task RegisterAsync_ApprovedPrompt_ManifestPinsVersionHashAndPromptWordsAreSearchable()
    {
        var family = _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "reg-approved"));
        var version = await family.CreateVersionAsync(Alice, new CreatePromptVersionRequest("2.1.0", null, "a luminous jellyfish"));
        await _node.Grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion("tenant-a", "reg-approved", "2.1.0")).ApproveAsync(Alice, new PromptStatusRequest());

        await _node.Asset("reg-prompted").RegisterAsync(Alice, Request("reg-prompted") with { Prompt = new PromptVersionRef("reg-approved", "2.1.0") });

        var manifest = await _node.Asset("reg-prompted").GetManifestAsync(Alice);
        var prompt = manifest.Manifest.GetProperty("prompt");
        Assert.Equal("2.1.0", prompt.GetProperty("version").GetString());
        Assert.Equal(version.ContentHash, prompt.GetProperty("textHash").GetString());
        var rows = await _node.Services.GetRequiredService<IGrainIndex>().QueryAsync("search", "tenant-a:jellyfish", IndexCursor.Start, 10, default);
        Assert.Contains(rows, r => r.Value == "reg-prompted");
    }

    [Fact]
    public async Task GetAsync_OtherTenant_NotFound()
    {
        await _node.RegisterAsync("reg-private");

        var error = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("reg-private").GetAsync(Bob));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task RegisterAsync_WithoutRegisterScope_Forbidden()
    {
        var reader = new CallerContext("tenant-a", "reader", [Scopes.Read]);

        var error = await Assert.ThrowsAsync<Core.Assets.ForbiddenException>(() => _node.Asset("reg-forbidden").RegisterAsync(reader, Request("reg-forbidden")));

        Assert.Equal(ErrorKind.Forbidden, error.Kind);
        Assert.Equal(Database.Footprint.None, await Database.FootprintAsync(db.DataSource, "reg-forbidden"));
    }
}
