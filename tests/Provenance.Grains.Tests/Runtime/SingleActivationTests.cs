using Orleans;
using Orleans.Runtime;
using Provenance.Grains.Assets;
using Provenance.Grains.Tests.TestSupport;

namespace Provenance.Grains.Tests.Runtime;

/// <summary>Orleans' grain directory keeps one activation per grain in the cluster, whichever silo calls first.</summary>
public sealed class SingleActivationTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task GetSummaryAsync_ConcurrentFirstCallsFromBothSilos_OneActivationPerAsset()
    {
        var node = fixture.Node;
        var one = node.NodeAt(0).Grains;
        var two = node.NodeAt(1).Grains;
        var ids = Enumerable.Range(0, 40).Select(i => $"single-{i}").ToList();

        await Task.WhenAll(ids.SelectMany(id => new[]
        {
            one.GetGrain<IAssetGrain>(id).GetSummaryAsync(),
            two.GetGrain<IAssetGrain>(id).GetSummaryAsync(),
        }));

        var silos = node.Silos.Select(s => s.SiloAddress).ToArray();
        var activations = await node.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: silos);
        var ours = activations.Where(a => ids.Contains(a.GrainId.Key.ToString()!)).ToList();
        Assert.Equal(ids.Count, ours.Count);
        Assert.All(ours.GroupBy(a => a.GrainId), g => Assert.Single(g));
    }
}
