using Provenance.Core.Storage;
using Provenance.Grains.Lineage;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Assets;

/// <summary>The node-wide services an asset activation uses, resolved once instead of per activation.</summary>
internal sealed class AssetGrainServices(LineageGraph graph, IManifestSigner signer, TimeProvider time, ILogStore log)
{
    public LineageGraph Graph { get; } = graph;

    public IManifestSigner Signer { get; } = signer;

    public TimeProvider Time { get; } = time;

    /// <summary>The log (for <c>AssetDto.LogIndex</c>).</summary>
    public ILogStore Log { get; } = log;
}
