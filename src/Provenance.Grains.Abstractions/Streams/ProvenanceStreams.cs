using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans;
using Orleans.Runtime;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Streams;

/// <summary>
/// The Orleans streams a Provenance cluster publishes (docs/grains.md, Streams). Every event is an outbox row committed
/// with the state change it describes, delivered at least once, in outbox-position order per stream; the stream item is
/// the provider's outbox event (position, type, tenant, UTF-8 JSON payload) and its sequence token is the position.
/// </summary>
public static class ProvenanceStreams
{
    /// <summary>Name of the stream provider (the outbox stream provider every silo registers).</summary>
    public const string ProviderName = "outbox";

    /// <summary>Namespace of the tenant-wide asset feed (key: the tenant): <c>asset.registered</c>, <c>asset.status_changed</c>.</summary>
    public const string Assets = "assets";

    /// <summary>Namespace of the deployment-wide epoch feed (key: <c>deployment</c>): <c>epoch.sealed</c>, <c>epoch.timestamped</c>.</summary>
    public const string Epochs = "epochs";

    /// <summary>Namespace of the per-asset live feed of new derivatives (key: the parent asset id): <c>asset.derived</c>.</summary>
    public const string Derivatives = "derivatives";

    /// <summary>Event type on <see cref="Derivatives"/>: a child was registered with, or linked to, the watched asset as a parent.</summary>
    public const string DerivedEvent = "asset.derived";

    /// <summary>
    /// The stream that carries every new derivative of <paramref name="assetId"/> (one event per new parent link, whether
    /// the child was registered with the link or got it later). Subscribe with an explicit subscription; events written
    /// before the subscription are not replayed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="assetId"/> is empty.</exception>
    public static StreamId DerivativesOf(string assetId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assetId);
        return StreamId.Create(Derivatives, assetId);
    }

    /// <summary>The tenant-wide asset feed of <paramref name="tenant"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is empty.</exception>
    public static StreamId AssetsOf(string tenant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        return StreamId.Create(Assets, tenant);
    }
}

/// <summary>
/// Payload of an <see cref="ProvenanceStreams.DerivedEvent"/> on <see cref="ProvenanceStreams.DerivativesOf"/>. A watched
/// asset owned by another tenant than the child gets the redacted form: <see cref="ChildId"/> and
/// <see cref="ContentHash"/> only (<see cref="Redacted"/>), as lineage answers show a foreign node.
/// </summary>
/// <param name="ChildId">The derivative's asset id.</param>
/// <param name="ContentHash">The derivative's content hash (<c>sha256:…</c>).</param>
/// <param name="Relationship">How the child relates to the watched parent; <see langword="null"/> when redacted.</param>
/// <param name="Tenant">The child's tenant; <see langword="null"/> when redacted.</param>
[GenerateSerializer]
[Immutable]
[Alias("provenance.derivative-event")]
public sealed record DerivativeEvent(
    [property: Id(0)] string ChildId,
    [property: Id(1)] string ContentHash,
    [property: Id(2)] Relationship? Relationship = null,
    [property: Id(3)] string? Tenant = null)
{
    /// <summary>Whether the child belongs to another tenant than the watched asset (only id and hash are shown).</summary>
    [JsonIgnore]
    public bool Redacted => Tenant is null;

    /// <summary>The event as seen by the owner of a parent in <paramref name="parentTenant"/>: redacted unless the child is in the same tenant.</summary>
    public static DerivativeEvent For(string parentTenant, string childId, string contentHash, Relationship relationship, string childTenant) =>
        parentTenant == childTenant
            ? new DerivativeEvent(childId, contentHash, relationship, childTenant)
            : new DerivativeEvent(childId, contentHash);

    /// <summary>The JSON payload (API JSON: camelCase, absent fields omitted).</summary>
    public byte[] ToPayload() => JsonSerializer.SerializeToUtf8Bytes(this, ApiJson.Options);

    /// <summary>Reads a payload written by <see cref="ToPayload"/>.</summary>
    /// <exception cref="JsonException">The payload is not a derivative event.</exception>
    public static DerivativeEvent FromPayload(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize<DerivativeEvent>(payload, ApiJson.Options) ?? throw new JsonException("The payload is null.");
}
