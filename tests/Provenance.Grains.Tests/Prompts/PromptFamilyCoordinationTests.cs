using Orleans;
using Orleans.Runtime;
using Provenance.Core.Contracts;
using Provenance.Grains.Prompts;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using static Provenance.Grains.Tests.TestSupport.Assets;

namespace Provenance.Grains.Tests.Prompts;

/// <summary>The family grain as the index of its version grains: concurrent creation, retries, a crash between the two writes.</summary>
public sealed class PromptFamilyCoordinationTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ClusterHost _node = fixture.Node;

    private static CreatePromptVersionRequest Create(string version, string text = "a red fox") => new(version, null, text);

    private static PromptVersionState Stored(string version, PromptStatus status = PromptStatus.Draft) => new()
    {
        Version = version,
        Status = status,
        UserPrompt = $"stored {version}",
        Owner = "alice",
        ContentHash = HashOf($"stored {version}"),
        CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    [Fact]
    public async Task CreateVersionAsync_TwoSilosDifferentVersionsConcurrently_EveryVersionListed()
    {
        var one = _node.NodeAt(0).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "concurrent"));
        var two = _node.NodeAt(1).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "concurrent"));
        var versions = Enumerable.Range(0, 20).Select(i => $"1.{i}.0").ToList();

        var created = await Task.WhenAll(versions.Select((v, i) => (i % 2 == 0 ? one : two).CreateVersionAsync(Alice, Create(v, $"wording {v}"))));

        var family = await _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "concurrent")).GetFamilyAsync(Alice);
        Assert.Equal(versions, created.Select(c => c.Version));
        Assert.Equal(versions, family.Versions.Select(v => v.Version));
        Assert.Equal(versions.Select(v => $"wording {v}"), family.Versions.Select(v => v.UserPrompt));
        var stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "concurrent");
        Assert.Equal(versions.Order(), stored.Index.Order());
        Assert.Empty(stored.Pending);
    }

    [Fact]
    public async Task CreateVersionAsync_SameNewVersionFromBothSilosConcurrently_OneActivationEachListedOnce()
    {
        var families = Enumerable.Range(0, 10).Select(i => $"first-{i}").ToList();

        var outcomes = await Task.WhenAll(families.SelectMany(f => new[]
        {
            _node.NodeAt(0).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", f)).CreateVersionAsync(Alice, Create("1.0.0", "from one")),
            _node.NodeAt(1).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", f)).CreateVersionAsync(Alice, Create("1.0.0", "from two")),
        }));

        Assert.Equal(20, outcomes.Length);
        var silos = _node.Silos.Select(s => s.SiloAddress).ToArray();
        var activations = await _node.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: silos);
        var keys = families.Select(f => PromptKeys.ForVersion("tenant-a", f, "1.0.0")).ToHashSet();
        var ours = activations.Where(a => keys.Contains(a.GrainId.Key.ToString()!)).ToList();
        Assert.Equal(keys.Count, ours.Count);
        Assert.All(ours.GroupBy(a => a.GrainId), g => Assert.Single(g));
        foreach (var f in families)
        {
            var family = await _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", f)).GetFamilyAsync(Alice);
            var only = Assert.Single(family.Versions);
            Assert.Contains(only.UserPrompt, new[] { "from one", "from two" });
        }
    }

    [Fact]
    public async Task CreateVersionAsync_RetriedAfterLostAnswer_FamilyListsExactlyTheCreatedVersions()
    {
        var family = _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "retried"));
        var first = await family.CreateVersionAsync(Alice, Create("1.0.0"));

        var retries = await Task.WhenAll(
            _node.NodeAt(0).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "retried")).CreateVersionAsync(Alice, Create("1.0.0")),
            _node.NodeAt(1).Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "retried")).CreateVersionAsync(Alice, Create("1.0.0")));
        await family.CreateVersionAsync(Alice, Create("1.1.0"));
        await family.CreateVersionAsync(Alice, Create("1.1.0"));

        var listed = await family.GetFamilyAsync(Alice);
        Assert.Equal(["1.0.0", "1.1.0"], listed.Versions.Select(v => v.Version));
        Assert.All(retries, r => Assert.Equal(first.ContentHash, r.ContentHash));
        var stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "retried");
        Assert.Equal(["1.0.0", "1.1.0"], stored.Index);
        Assert.Empty(stored.Pending);
    }

    [Fact]
    public async Task GetFamilyAsync_CrashBetweenTheTwoWrites_ListsExactlyTheVersionsThatExistAndRetryLists()
    {
        await PromptStates.WriteFamilyAsync(_node, "tenant-a", "crashed", new PromptFamilyState
        {
            Tenant = "tenant-a",
            FamilyId = "crashed",
            Index = ["1.0.0"],
            Pending = ["1.1.0", "2.0.0"],
        });
        await PromptStates.WriteVersionAsync(_node, "tenant-a", "crashed", Stored("1.0.0"));
        await PromptStates.WriteVersionAsync(_node, "tenant-a", "crashed", Stored("1.1.0"));
        var grains = _node.Grains;
        var family = grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "crashed"));

        var settled = await family.GetFamilyAsync(Alice);
        var diff = await family.DiffAsync(Alice, "1.0.0", "1.1.0");
        var missing = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => family.DiffAsync(Alice, "1.0.0", "2.0.0"));
        await family.CreateVersionAsync(Alice, Create("2.0.0"));
        var retried = await family.GetFamilyAsync(Alice);

        Assert.Equal(["1.0.0", "1.1.0"], settled.Versions.Select(v => v.Version));
        Assert.Equal("1.1.0", diff.To);
        Assert.Equal("not-found", missing.Code);
        Assert.Equal(["1.0.0", "1.1.0", "2.0.0"], retried.Versions.Select(v => v.Version));
        Assert.Equal("stored 1.1.0", retried.Versions[1].UserPrompt);
        var stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "crashed");
        Assert.Equal(["1.0.0", "1.1.0", "2.0.0"], stored.Index);
        Assert.Empty(stored.Pending);
    }

    [Fact]
    public async Task CreateVersionAsync_RefusedVersion_FamilyListsNothingAndStoresNoPending()
    {
        var family = _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "refused"));

        var error = await Assert.ThrowsAsync<Core.Assets.ValidationFailedException>(() => family.CreateVersionAsync(Alice, Create("1.0.0", " ")));

        Assert.Equal("userPrompt", error.Field);
        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => family.GetFamilyAsync(Alice));
        Assert.Null(await PromptStates.PayloadAsync(fixture, PromptKeys.For("tenant-a", "refused")));
        Assert.Null(await _node.Grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion("tenant-a", "refused", "1.0.0")).ResolveAsync(Alice));
    }

    [Fact]
    public async Task VersionGrain_OtherTenant_NotFoundAndUnresolvable()
    {
        await _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", "private-version")).CreateVersionAsync(Alice, Create("1.0.0"));
        var version = _node.Grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion("tenant-a", "private-version", "1.0.0"));

        var read = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => version.GetAsync(Bob));
        var approve = await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => version.ApproveAsync(Bob, new PromptStatusRequest()));
        var resolved = await version.ResolveAsync(Bob);

        Assert.Equal("not-found", read.Code);
        Assert.Equal("not-found", approve.Code);
        Assert.Null(resolved);
        Assert.Equal(PromptStatus.Draft, (await version.GetAsync(Alice)).Status);
    }
}
