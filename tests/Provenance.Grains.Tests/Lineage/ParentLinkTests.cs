using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Assets;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;
using static Provenance.Grains.Tests.TestSupport.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Tests.Lineage;

public sealed class ParentLinkTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    public async Task InitializeAsync() => _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task AddParentAsync_DescendantAsParent_LineageCycleWithNothingWritten()
    {
        await _node.RegisterAsync("pl-a");
        await _node.RegisterAsync("pl-b", "pl-a");
        await _node.RegisterAsync("pl-c", "pl-b");
        var before = await Database.FootprintAsync(db.DataSource, "pl-a");

        var error = await Assert.ThrowsAsync<Core.Lineage.LineageCycleException>(() => _node.Asset("pl-a").AddParentAsync(Alice, new AddParentRequest("pl-c")));

        Assert.Equal("lineage-cycle", error.Code);
        Assert.Equal(before, await Database.FootprintAsync(db.DataSource, "pl-a"));
        Assert.Empty((await _node.Asset("pl-a").GetAsync(Alice)).Parents);
        Assert.Single(await _node.Asset("pl-a").GetAuditTrailAsync(Alice));
    }

    [Fact]
    public async Task AddParentAsync_UnknownParent_RefusedWithNothingWritten()
    {
        await _node.RegisterAsync("pl-lonely");
        var before = await Database.FootprintAsync(db.DataSource, "pl-lonely");

        var error = await Assert.ThrowsAsync<Core.Lineage.UnknownParentException>(() => _node.Asset("pl-lonely").AddParentAsync(Alice, new AddParentRequest("pl-nobody")));

        Assert.Equal("parentId", error.Field);
        Assert.Equal(before, await Database.FootprintAsync(db.DataSource, "pl-lonely"));
    }

    [Fact]
    public async Task AddParentAsync_NewParent_NewRevisionAndParentSeesChild()
    {
        await _node.RegisterAsync("pl-p");
        await _node.RegisterAsync("pl-k");
        await _node.Asset("pl-p").GetDescendantsAsync(Alice, new LineageQuery());

        var dto = await _node.Asset("pl-k").AddParentAsync(Alice, new AddParentRequest("pl-p", Relationship.InputTo, "reference image"));

        Assert.Equal("pl-p", Assert.Single(dto.Parents).AssetId);
        var audit = await _node.Asset("pl-k").GetAuditTrailAsync(Alice);
        Assert.Equal(["registered", "parent-added"], audit.Select(a => a.Action));
        Assert.Equal(audit[0].AfterHash, audit[1].BeforeHash);
        Assert.Equal("reference image", audit[1].Reason);
        var children = await _node.Asset("pl-p").GetDescendantsAsync(Alice, new LineageQuery());
        var child = Assert.Single(children.Nodes);
        Assert.Equal(Relationship.InputTo, child.Relationship);
        Assert.Equal(2, await Database.CountAsync(db.DataSource, "SELECT count(*) FROM log_entries WHERE source_key LIKE 'pl-k@%'"));
    }

    [Fact]
    public async Task AddParentAsync_ConcurrentOppositeLinksOnTwoNodes_AtMostOneWins()
    {
        await using var other = await _node.AddSiloAsync();
        await _node.RegisterAsync("pl-x");
        await _node.RegisterAsync("pl-y");

        var results = await Task.WhenAll(
            Outcome(_node.Asset("pl-x").AddParentAsync(Alice, new AddParentRequest("pl-y"))),
            Outcome(other.Asset("pl-y").AddParentAsync(Alice, new AddParentRequest("pl-x"))));

        Assert.Equal(1, results.Count(r => r == "ok"));
        Assert.Equal(1, results.Count(r => r == "lineage-cycle"));
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
