using Orleans;
using Orleans.Runtime;
using Provenance.Core.Contracts;
using Provenance.Grains.Prompts;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using static Provenance.Grains.Tests.TestSupport.Assets;

namespace Provenance.Grains.Tests.Prompts;

/// <summary>Family states stored in the old shape (every version inside) move into version grains on activation.</summary>
public sealed class PromptFamilyMigrationTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly DateTimeOffset Created = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ClusterHost _node = fixture.Node;

    private static PromptVersionState Old(string version, PromptStatus status, string text) => new()
    {
        Version = version,
        Status = status,
        SystemPrompt = "You paint.",
        UserPrompt = text,
        Parameters = """{"steps":30}""",
        ReferenceAssets = ["ref-1"],
        Owner = "alice",
        ContentHash = HashOf(text),
        ApprovedBy = status == PromptStatus.Approved ? "carol" : null,
        ApprovedAt = status == PromptStatus.Approved ? Created.AddHours(1) : null,
        StatusReason = status == PromptStatus.Blocked ? "unsafe" : null,
        CreatedAt = Created,
    };

    private Task WriteOldShapeAsync(string familyId, params PromptVersionState[] versions) =>
        PromptStates.WriteFamilyAsync(_node, "tenant-a", familyId, new PromptStates.OldShapeFamilyState { Tenant = "tenant-a", FamilyId = familyId, Versions = [.. versions] });

    private IPromptFamilyGrain Family(string familyId) => _node.Grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For("tenant-a", familyId));

    private IPromptVersionGrain Version(string familyId, string version, IGrainFactory? grains = null) =>
        (grains ?? _node.Grains).GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion("tenant-a", familyId, version));

    [Fact]
    public async Task GetFamilyAsync_OldShapeState_VersionsMovedIntoVersionGrainsAndOnlyIndexKept()
    {
        await WriteOldShapeAsync("legacy", Old("1.1.0", PromptStatus.Draft, "second"), Old("1.0.0", PromptStatus.Approved, "first"), Old("0.9.0", PromptStatus.Blocked, "zeroth"));
        using (var before = await PromptStates.PayloadAsync(fixture, PromptKeys.For("tenant-a", "legacy")))
        {
            Assert.False(before!.RootElement.TryGetProperty("Index", out _));
            Assert.Equal(3, before.RootElement.GetProperty("Versions").GetArrayLength());
        }

        var family = await Family("legacy").GetFamilyAsync(Alice);

        Assert.Equal(["0.9.0", "1.0.0", "1.1.0"], family.Versions.Select(v => v.Version));
        Assert.Equal([PromptStatus.Blocked, PromptStatus.Approved, PromptStatus.Draft], family.Versions.Select(v => v.Status));
        var approved = family.Versions[1];
        Assert.Equal(("first", "You paint.", HashOf("first"), "carol", Created.AddHours(1), Created),
            (approved.UserPrompt, approved.SystemPrompt, approved.ContentHash, approved.ApprovedBy, approved.ApprovedAt, approved.CreatedAt));
        Assert.Equal(30, approved.Parameters!["steps"]!.GetValue<int>());
        Assert.Equal(["ref-1"], approved.ReferenceAssets);
        var stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "legacy");
        Assert.Empty(stored.Versions);
        Assert.Equal(["1.1.0", "1.0.0", "0.9.0"], stored.Index);
        foreach (var version in new[] { "0.9.0", "1.0.0", "1.1.0" })
        {
            using var payload = await PromptStates.PayloadAsync(fixture, PromptKeys.ForVersion("tenant-a", "legacy", version));
            Assert.Equal(version, payload!.RootElement.GetProperty("Version").GetString());
        }
    }

    [Fact]
    public async Task GetFamilyAsync_MigrationInterruptedAfterOneVersionChanged_VersionGrainKeepsItsState()
    {
        await WriteOldShapeAsync("half-moved", Old("1.0.0", PromptStatus.Draft, "one"), Old("2.0.0", PromptStatus.Draft, "two"));
        await PromptStates.WriteVersionAsync(_node, "tenant-a", "half-moved", Old("1.0.0", PromptStatus.Deprecated, "one"));

        var family = await Family("half-moved").GetFamilyAsync(Alice);
        var reimported = await _node.Grains.GetGrain<IPromptVersionInternalGrain>(PromptKeys.ForVersion("tenant-a", "half-moved", "1.0.0")).ImportAsync(Old("1.0.0", PromptStatus.Draft, "one"));

        Assert.False(reimported);
        Assert.Equal([PromptStatus.Deprecated, PromptStatus.Draft], family.Versions.Select(v => v.Status));
        Assert.Equal(PromptStatus.Deprecated, (await Version("half-moved", "1.0.0").GetAsync(Alice)).Status);
        Assert.Equal(["1.0.0", "2.0.0"], (await PromptStates.ReadFamilyAsync(_node, "tenant-a", "half-moved")).Index);
    }

    [Fact]
    public async Task RegisterAsync_PromptOfOldShapeFamilyNeverCalled_ResolvedAndFamilyMigratesOnActivation()
    {
        await WriteOldShapeAsync("resolved-first", Old("3.0.0", PromptStatus.Approved, "a quiet harbour"));

        var asset = await _node.Asset("migrated-prompt-use").RegisterAsync(Alice, Request("migrated-prompt-use") with { Prompt = new PromptVersionRef("resolved-first", "3.0.0") });

        Assert.Equal(new PromptVersionRef("resolved-first", "3.0.0"), asset.Prompt);
        var manifest = await _node.Asset("migrated-prompt-use").GetManifestAsync(Alice);
        Assert.Equal(HashOf("a quiet harbour"), manifest.Manifest.GetProperty("prompt").GetProperty("textHash").GetString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "resolved-first");
        while (stored.Versions.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            stored = await PromptStates.ReadFamilyAsync(_node, "tenant-a", "resolved-first");
        }

        Assert.Empty(stored.Versions);
        Assert.Equal(["3.0.0"], stored.Index);
    }

    [Fact]
    public async Task ApproveAsync_ConcurrentFirstCallsFromBothSilosOnOldShapeDraft_OneActivationOneApproval()
    {
        var families = Enumerable.Range(0, 8).Select(i => $"race-{i}").ToList();
        foreach (var f in families)
        {
            await WriteOldShapeAsync(f, Old("1.0.0", PromptStatus.Draft, "draft"));
        }

        var outcomes = await Task.WhenAll(families.SelectMany(f => new[]
        {
            Outcome(Version(f, "1.0.0", _node.NodeAt(0).Grains).ApproveAsync(Alice, new PromptStatusRequest("one"))),
            Outcome(Version(f, "1.0.0", _node.NodeAt(1).Grains).ApproveAsync(Alice, new PromptStatusRequest("two"))),
        }));

        Assert.Equal(families.Count, outcomes.Count(o => o == "ok"));
        Assert.Equal(families.Count, outcomes.Count(o => o == "illegal-transition"));
        var silos = _node.Silos.Select(s => s.SiloAddress).ToArray();
        var activations = await _node.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: silos);
        var keys = families.Select(f => PromptKeys.ForVersion("tenant-a", f, "1.0.0")).ToHashSet();
        var ours = activations.Where(a => a.GrainId.Type.ToString() == StorageNames.PromptVersionGrainType && keys.Contains(a.GrainId.Key.ToString()!)).ToList();
        Assert.Equal(keys.Count, ours.Count);
        foreach (var f in families)
        {
            Assert.Equal(PromptStatus.Approved, Assert.Single((await Family(f).GetFamilyAsync(Alice)).Versions).Status);
        }
    }

    private static async Task<string> Outcome(Task<PromptVersionDto> call)
    {
        try
        {
            await call;
            return "ok";
        }
        catch (Core.ProvenanceException e)
        {
            return e.Code;
        }
    }
}
