using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provenance.Actors;
using Provenance.Core.Storage;
using Provenance.Grains.Lineage;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Assets;

/// <summary>The node-wide services an asset activation uses, resolved once instead of per activation.</summary>
internal sealed class AssetGrainServices(IServiceProvider services, LineageGraph graph, IManifestSigner signer, TimeProvider time, IDurableStateStore storage, IOptions<GrainRuntimeOptions> runtimeOptions)
{
    public LineageGraph Graph { get; } = graph;

    public IManifestSigner Signer { get; } = signer;

    public TimeProvider Time { get; } = time;

    /// <summary>Direct storage reads for checks that must see every committed change (cycle detection).</summary>
    public IDurableStateStore Storage { get; } = storage;

    public System.Text.Json.JsonSerializerOptions Json { get; } = runtimeOptions.Value.JsonSerializerOptions;

    /// <summary>Serialises lineage-link changes across nodes, when the host has a distributed lock.</summary>
    public IDistributedLock? Locks { get; } = services.GetService<IDistributedLock>();

    /// <summary>The log, when the host has one (for <c>AssetDto.LogIndex</c>).</summary>
    public ILogStore? Log { get; } = services.GetService<ILogStore>();
}
