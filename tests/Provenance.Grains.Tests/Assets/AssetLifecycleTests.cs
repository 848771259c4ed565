using System.Text;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using static Provenance.Grains.Tests.TestSupport.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Tests.Assets;

/// <summary>Lifecycle, moderation and audit logic, on one cluster shared by the class (each test its own assets).</summary>
public sealed class AssetLifecycleTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ManualTimeProvider _time = fixture.Time;
    private readonly ClusterHost _node = fixture.Node;


    [Fact]
    public async Task TransitionAsync_LegalChain_EachStepSignsRevisionAppendsLeafAuditAndEvent()
    {
        await _node.RegisterAsync("lc-1");

        await _node.Asset("lc-1").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Moderated));
        _time.Advance(TimeSpan.FromMinutes(1));
        await _node.Asset("lc-1").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Approved));
        await _node.Asset("lc-1").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Published));
        var revoked = await _node.Asset("lc-1").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Revoked, "licence withdrawn"));

        Assert.Equal(LifecycleStatus.Revoked, revoked.Status);
        Assert.Equal(["lc-1@1", "lc-1@2", "lc-1@3", "lc-1@4", "lc-1@5"], await fixture.LogSourceKeysAsync("lc-1@"));
        var audit = await _node.Asset("lc-1").GetAuditTrailAsync(Alice);
        Assert.Equal([1L, 2, 3, 4, 5], audit.Select(a => a.Sequence));
        Assert.All(audit.Zip(audit.Skip(1)), pair => Assert.Equal(pair.First.AfterHash, pair.Second.BeforeHash));
        Assert.Equal(revoked.ManifestHash, audit[^1].AfterHash);
        Assert.Equal("licence withdrawn", audit[^1].Reason);
        Assert.Equal(_time.GetUtcNow(), audit[^1].At);
        var events = await fixture.EventsAsync("assets");
        Assert.Equal(4, events.Count(e => e.EventType == "asset.status_changed" && Encoding.UTF8.GetString(e.Payload.Span).Contains("\"lc-1\"", StringComparison.Ordinal)));
        var manifest = await _node.Asset("lc-1").GetManifestAsync(Alice);
        Assert.Equal("revoked", manifest.Manifest.GetProperty("status").GetString());
        Assert.Equal("licence withdrawn", manifest.Manifest.GetProperty("statusReason").GetString());
    }

    [Theory]
    [InlineData(LifecycleStatus.Revoked)]
    [InlineData(LifecycleStatus.Requested)]
    [InlineData(LifecycleStatus.Repaired)]
    public async Task TransitionAsync_IllegalFromGenerated_IllegalTransitionWithNothingWritten(LifecycleStatus target)
    {
        await _node.RegisterAsync($"lc-illegal-{target}");
        var appends = (await fixture.LogSourceKeysAsync("")).Count;

        var error = await Assert.ThrowsAsync<Core.Assets.IllegalTransitionException>(() =>
            _node.Asset($"lc-illegal-{target}").TransitionAsync(Alice, new TransitionRequest(target, "because")));

        Assert.Equal("illegal-transition", error.Code);
        Assert.Equal(Core.ErrorKind.Conflict, error.Kind);
        Assert.Equal(appends, (await fixture.LogSourceKeysAsync("")).Count);
        Assert.Equal(LifecycleStatus.Generated, (await _node.Asset($"lc-illegal-{target}").GetAsync(Alice)).Status);
    }

    [Fact]
    public async Task TransitionAsync_RevokedIsTerminal_EveryTargetRefused()
    {
        await _node.RegisterAsync("lc-terminal");
        await _node.Asset("lc-terminal").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Approved));
        await _node.Asset("lc-terminal").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Revoked, "gone"));

        var refused = 0;
        foreach (var target in Enum.GetValues<LifecycleStatus>())
        {
            await Assert.ThrowsAsync<Core.Assets.IllegalTransitionException>(() =>
                _node.Asset("lc-terminal").TransitionAsync(Alice, new TransitionRequest(target, "try")));
            refused++;
        }

        Assert.Equal(Enum.GetValues<LifecycleStatus>().Length, refused);
    }

    [Theory]
    [InlineData(LifecycleStatus.Rejected)]
    [InlineData(LifecycleStatus.Failed)]
    public async Task TransitionAsync_ReasonRequiredButMissing_ValidationFailed(LifecycleStatus target)
    {
        await _node.RegisterAsync($"lc-noreason-{target}");

        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() =>
            _node.Asset($"lc-noreason-{target}").TransitionAsync(Alice, new TransitionRequest(target)));

        Assert.Equal("reason", error.Field);
    }

    [Fact]
    public async Task TransitionAsync_FailedRetryingGenerated_RecoversThroughTheTable()
    {
        await _node.Asset("lc-retry").RegisterAsync(Alice, Request("lc-retry") with { Status = LifecycleStatus.Requested });

        await _node.Asset("lc-retry").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Failed, "GPU out of memory"));
        await _node.Asset("lc-retry").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Retrying));
        var dto = await _node.Asset("lc-retry").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Generated));

        Assert.Equal(LifecycleStatus.Generated, dto.Status);
        Assert.Equal(4, (await _node.Asset("lc-retry").GetAuditTrailAsync(Alice)).Count);
    }

    [Fact]
    public async Task ModerateAsync_Blocked_RecordsResultAndRejects()
    {
        await _node.RegisterAsync("lc-mod");

        var dto = await _node.Asset("lc-mod").ModerateAsync(Alice, new ModerationRequest("blocked", ["violence"], new Dictionary<string, double> { ["violence"] = 0.97 }, "rev-1"));

        Assert.Equal(LifecycleStatus.Rejected, dto.Status);
        var moderation = Assert.Single(dto.Moderation);
        Assert.Equal("blocked", moderation.Decision);
        Assert.Equal(0.97, moderation.Scores["violence"]);
        var manifest = await _node.Asset("lc-mod").GetManifestAsync(Alice);
        Assert.Equal("blocked", manifest.Manifest.GetProperty("moderation").GetProperty("decision").GetString());
    }

    [Fact]
    public async Task ModerateAsync_UnknownDecision_ValidationFailed()
    {
        await _node.RegisterAsync("lc-mod-bad");

        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => _node.Asset("lc-mod-bad").ModerateAsync(Alice, new ModerationRequest("maybe")));

        Assert.Equal("decision", error.Field);
    }

    [Fact]
    public async Task TransitionAsync_OtherTenant_NotFound()
    {
        await _node.RegisterAsync("lc-owned");

        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => _node.Asset("lc-owned").TransitionAsync(Bob, new TransitionRequest(LifecycleStatus.Approved)));

        Assert.Equal(LifecycleStatus.Generated, (await _node.Asset("lc-owned").GetAsync(Alice)).Status);
    }

    [Fact]
    public async Task RegisterAsync_GeneratedIds_TimeOrderedAndDeterministic()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));
        await using var node = await Node.StartPostgresAsync(await fixture.Database.CreateDatabaseAsync(migrate: true), new InMemoryKeyStore(), time, new CountingRandomSource());
        var ids = node.Services.GetService(typeof(Grains.Assets.IAssetIdGenerator)) as Grains.Assets.IAssetIdGenerator;

        var first = await Grains.Assets.AssetRegistration.RegisterAsync(node.Grains, ids!, Alice, Request("x") with { AssetId = null });
        time.Advance(TimeSpan.FromMilliseconds(1));
        var second = ids!.NewId();

        Assert.Equal("ast_01M7Y7KG400000000000000001", first.AssetId);
        Assert.Equal("ast_01M7Y7KG410000000000000002", second);
        Assert.True(string.CompareOrdinal(first.AssetId, second) < 0);
    }
}
