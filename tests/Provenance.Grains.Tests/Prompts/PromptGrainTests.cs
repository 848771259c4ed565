using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Prompts;
using Provenance.Grains.Tenants;
using Provenance.LoadGen;
using static Provenance.Grains.Tests.TestSupport.Assets;

using Provenance.Grains.Tests.TestSupport;

namespace Provenance.Grains.Tests.Prompts;

/// <summary>Prompt families and versions: immutability, statuses, diff and privacy.</summary>
public sealed class PromptGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ClusterHost _node = fixture.Node;

    private IPromptFamilyGrain Family(string tenant = "tenant-a", string family = "poster") => _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For(tenant, family));

    private IPromptVersionGrain Version(string version, string tenant = "tenant-a", string family = "poster") =>
        _node.Grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion(tenant, family, version));


    [Fact]
    public async Task ApproveAsync_Draft_RecordsApproverAndMakesVersionImmutable()
    {
        await Family().CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", "You are a poster designer.", "A red fox"));

        var approved = await Version("1.0.0").ApproveAsync(Alice, new PromptStatusRequest("reviewed"));
        var error = await Assert.ThrowsAsync<Core.Prompts.PromptVersionImmutableException>(() =>
            Family().CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", null, "A blue fox")));

        Assert.Equal(PromptStatus.Approved, approved.Status);
        Assert.Equal("alice", approved.ApprovedBy);
        Assert.NotNull(approved.ApprovedAt);
        Assert.Equal("prompt-version-immutable", error.Code);
        Assert.Equal("A red fox", (await Version("1.0.0").GetAsync(Alice)).UserPrompt);
    }

    [Fact]
    public async Task CreateVersionAsync_RepostedDraft_ReplacesWordingAndHash()
    {
        var first = await Family(family: "draft").CreateVersionAsync(Alice, new CreatePromptVersionRequest("0.1.0", null, "first wording"));

        var second = await Family(family: "draft").CreateVersionAsync(Alice, new CreatePromptVersionRequest("0.1.0", null, "second wording"));

        Assert.NotEqual(first.ContentHash, second.ContentHash);
        Assert.Single((await Family(family: "draft").GetFamilyAsync(Alice)).Versions);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0-beta")]
    [InlineData("v1.0.0")]
    public async Task CreateVersionAsync_NotSemanticVersion_ValidationFailed(string version)
    {
        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            Family().CreateVersionAsync(Alice, new CreatePromptVersionRequest(version, null, "text")));

        Assert.Equal("version", error.Field);
    }

    [Fact]
    public async Task BlockAsync_Blocked_CannotBeApprovedAgain()
    {
        await Family(family: "blocked").CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", null, "text"));
        await Version("1.0.0", family: "blocked").BlockAsync(Alice, new PromptStatusRequest("unsafe"));

        var error = await Assert.ThrowsAsync<Core.Assets.IllegalTransitionException>(() => Version("1.0.0", family: "blocked").ApproveAsync(Alice, new PromptStatusRequest()));

        Assert.Equal("illegal-transition", error.Code);
    }

    [Fact]
    public async Task DiffAsync_TwoVersions_PerFieldChangesWithLineDiffs()
    {
        await Family(family: "diff").CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", "Be brief.", "line one\nline two\nline three"));
        await Family(family: "diff").CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.1.0", "Be brief.", "line one\nline 2\nline three", "blurry"));

        var diff = await Family(family: "diff").DiffAsync(Alice, "1.0.0", "1.1.0");

        var fields = diff.Fields.ToDictionary(f => f.Field);
        Assert.Equal("unchanged", fields["systemPrompt"].Change);
        Assert.Equal("added", fields["negativePrompt"].Change);
        var user = fields["userPrompt"];
        Assert.Equal("changed", user.Change);
        Assert.Equal(
            ["Equal:line one", "Delete:line two", "Insert:line 2", "Equal:line three"],
            user.Lines!.Select(l => $"{l.Op}:{l.Text}"));
    }

    [Fact]
    public async Task GetVersionAsync_HashedPrivacy_TextsReplacedByHashes()
    {
        var tenant = CallerContext.System("tenant-private");
        await _node.Grains.GetGrain<ITenantGrain>("tenant-private").SetPolicyAsync(tenant, new TenantPolicyDto(PromptPrivacy.Hashed));
        await Family("tenant-private", "secret").CreateVersionAsync(tenant, new CreatePromptVersionRequest("1.0.0", null, "the secret sauce"));

        var version = await Version("1.0.0", "tenant-private", "secret").GetAsync(tenant);

        Assert.Equal(HashOf("the secret sauce"), version.UserPrompt);
        Assert.Null(version.SystemPrompt);
    }

    [Fact]
    public async Task GetVersionAsync_RedactedPrivacy_TextsOmitted()
    {
        var tenant = CallerContext.System("tenant-redacted");
        await _node.Grains.GetGrain<ITenantGrain>("tenant-redacted").SetPolicyAsync(tenant, new TenantPolicyDto(PromptPrivacy.Redacted));
        await Family("tenant-redacted", "secret").CreateVersionAsync(tenant, new CreatePromptVersionRequest("1.0.0", "sys", "the secret sauce"));

        var version = await Version("1.0.0", "tenant-redacted", "secret").GetAsync(tenant);

        Assert.Null(version.UserPrompt);
        Assert.Null(version.SystemPrompt);
        Assert.StartsWith("sha256:", version.ContentHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFamilyAsync_OtherTenant_NotFound()
    {
        await Family(family: "mine").CreateVersionAsync(Alice, new CreatePromptVersionRequest("1.0.0", null, "text"));

        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => Family(family: "mine").GetFamilyAsync(Bob));
    }
}
