using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Tests.Assets;

/// <summary>Two runtimes ("nodes") on one PostgreSQL database.</summary>
public sealed class AssetGrainConcurrencyTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private readonly InMemoryKeyStore _keys = new();

    [Fact]
    public async Task RegisterAsync_TwoNodesSameIds_ExactlyOneWinsEach()
    {
        await using var cluster = await Node.StartPostgresAsync(db.ConnectionString, _keys);
        var one = cluster.NodeAt(0);
        var two = cluster.NodeAt(1);
        var ids = Enumerable.Range(0, 20).Select(i => $"race-{i}").ToList();

        var outcomes = await Task.WhenAll(ids.SelectMany(id => new[]
        {
            Outcome(one.Asset(id).RegisterAsync(Alice, Request(id) with { Title = "from one" })),
            Outcome(two.Asset(id).RegisterAsync(Alice, Request(id) with { Title = "from two" })),
        }));

        Assert.Equal(20, outcomes.Count(o => o == "ok"));
        Assert.Equal(20, outcomes.Count(o => o == "asset-exists"));
        foreach (var id in ids)
        {
            var footprint = await Database.FootprintAsync(db.DataSource, id);
            Assert.Equal(1, footprint.States);
            Assert.Equal(1, footprint.LogEntries);
            Assert.Equal(1, footprint.Events);
        }
    }

    [Fact]
    public async Task ModerateAndRestrictAsync_TwoNodesHammeringOneAsset_NoUpdateLost()
    {
        await using var cluster = await Node.StartPostgresAsync(db.ConnectionString, _keys);
        var one = cluster.NodeAt(0);
        var two = cluster.NodeAt(1);
        await one.RegisterAsync("hammered");
        var calls = new List<Task<string>>();
        for (var i = 0; i < 30; i++)
        {
            var node = i % 2 == 0 ? one : two;
            calls.Add(Outcome(node.Asset("hammered").ModerateAsync(Alice, new ModerationRequest("flagged", [$"rule-{i}"]))));
            calls.Add(Outcome(node.Asset("hammered").RestrictAsync(Alice, new RestrictionRequest($"r-{i}"))));
        }

        var outcomes = await Task.WhenAll(calls);

        // One activation in the cluster serialises both nodes' calls: every change succeeds, none conflicts.
        Assert.All(outcomes, o => Assert.Equal("ok", o));
        var succeeded = outcomes.Length;
        await cluster.DisposeAsync();
        await using var fresh = await Node.StartPostgresAsync(db.ConnectionString, _keys);
        var dto = await fresh.Asset("hammered").GetAsync(Alice);
        var audit = await fresh.Asset("hammered").GetAuditTrailAsync(Alice);
        Assert.Equal(succeeded, dto.Moderation.Count + dto.Restrictions.Count);
        Assert.Equal(succeeded + 1, audit.Count);
        Assert.Equal(Enumerable.Range(1, succeeded + 1).Select(i => (long)i), audit.Select(a => a.Sequence));
        Assert.Equal(succeeded + 1, await Database.CountAsync(db.DataSource, "SELECT count(*) FROM log_entries WHERE source_key LIKE 'hammered@%'"));
    }

    [Fact]
    public async Task GetAsync_AfterRuntimeRestart_StateAndHistorySurvive()
    {
        string manifestHash;
        await using (var before = await Node.StartPostgresAsync(db.ConnectionString, _keys))
        {
            await before.RegisterAsync("survivor");
            manifestHash = (await before.Asset("survivor").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Approved))).ManifestHash;
        }

        await using var after = await Node.StartPostgresAsync(db.ConnectionString, _keys);
        var dto = await after.Asset("survivor").GetAsync(Alice);

        Assert.Equal(LifecycleStatus.Approved, dto.Status);
        Assert.Equal(manifestHash, dto.ManifestHash);
        Assert.Equal(2, (await after.Asset("survivor").GetAuditTrailAsync(Alice)).Count);
        var published = await after.Asset("survivor").TransitionAsync(Alice, new TransitionRequest(LifecycleStatus.Published));
        Assert.Equal(LifecycleStatus.Published, published.Status);
    }

    private static async Task<string> Outcome(Task task)
    {
        try
        {
            await task;
            return "ok";
        }
        catch (Core.ProvenanceException e)
        {
            return e.Code;
        }
    }
}
