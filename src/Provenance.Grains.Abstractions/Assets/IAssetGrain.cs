using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Assets;

/// <summary>
/// One asset (key: the asset id, one global namespace). Holds the asset's claims, lifecycle, moderation, approvals,
/// restrictions, audit trail and every signed manifest revision's head. Lineage queries start here and walk the
/// silo-wide lineage cache, so a warm query makes no per-node database call.
/// Writes need scope <c>register</c>, reads <c>read</c>; only the owning tenant may change or read an asset
/// (other tenants get <c>not-found</c>; inside lineage answers they see a redacted node).
/// </summary>
public interface IAssetGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the asset. <paramref name="request"/>.AssetId must be null or this grain's key (use
    /// <see cref="AssetRegistration.RegisterAsync"/> to get a generated id). Validates the claims, signs manifest
    /// revision 1 and writes state, log leaf, outbox event and index rows in one transaction; returns once durable.
    /// </summary>
    /// <remarks>Idempotent: a retry by the same tenant with the same claims (after a lost answer) returns the asset as
    /// registered, and writes nothing.</remarks>
    /// <exception cref="Core.Assets.AssetExistsException">The id is taken by other claims or another tenant (exactly one of
    /// concurrent registrations wins).</exception>
    /// <exception cref="Core.Assets.ValidationFailedException">A claim is malformed (hash, media type, id, duplicate parent...).</exception>
    /// <exception cref="Core.Lineage.UnknownParentException">A parent is not registered.</exception>
    /// <exception cref="Core.Lineage.CrossTenantParentException">A parent's tenant does not trust the caller's tenant.</exception>
    /// <exception cref="Core.Lineage.LineageCycleException">The asset names itself as a parent.</exception>
    /// <exception cref="Core.Prompts.PromptVersionBlockedException">The prompt version is blocked.</exception>
    /// <exception cref="Core.Prompts.PromptVersionNotApprovedException">The prompt version is not approved and the tenant does not allow drafts.</exception>
    Task<AssetDto> RegisterAsync(CallerContext caller, RegisterAssetRequest request);

    /// <summary>The asset, with inherited restrictions computed over its ancestors.</summary>
    /// <exception cref="Core.Assets.NotFoundException">Not registered, or another tenant's.</exception>
    [ReadOnly]
    Task<AssetDto> GetAsync(CallerContext caller);

    /// <summary>The current signed manifest revision.</summary>
    /// <exception cref="Core.Assets.NotFoundException">Not registered, or another tenant's.</exception>
    [ReadOnly]
    Task<SignedManifestDto> GetManifestAsync(CallerContext caller);

    /// <summary>
    /// Everything POST /v1/verify checks of the current revision, read in one turn (so summary, signature and manifest
    /// belong to the same revision): no log or lineage-cache reads, no JSON parsing.
    /// </summary>
    /// <exception cref="Core.Assets.NotFoundException">Not registered, or another tenant's.</exception>
    [ReadOnly]
    Task<AssetVerificationRecord> GetVerificationRecordAsync(CallerContext caller);

    /// <summary>The audit trail, oldest first.</summary>
    /// <exception cref="Core.Assets.NotFoundException">Not registered, or another tenant's.</exception>
    [ReadOnly]
    Task<IReadOnlyList<AuditRecordDto>> GetAuditTrailAsync(CallerContext caller);

    /// <summary>Links one more parent (new manifest revision).</summary>
    /// <exception cref="Core.Lineage.UnknownParentException">The parent is not registered.</exception>
    /// <exception cref="Core.Lineage.CrossTenantParentException">The parent's tenant does not trust the caller's tenant.</exception>
    /// <exception cref="Core.Lineage.LineageCycleException">The parent is this asset or one of its descendants.</exception>
    /// <exception cref="Core.Assets.ValidationFailedException">The parent is already linked.</exception>
    Task<AssetDto> AddParentAsync(CallerContext caller, AddParentRequest request);

    /// <summary>Moves the lifecycle (table in <see cref="Core.Assets.AssetLifecycle"/>); a reason is required for rejected, revoked and failed.</summary>
    /// <exception cref="Core.Assets.IllegalTransitionException">The table does not allow the change.</exception>
    Task<AssetDto> TransitionAsync(CallerContext caller, TransitionRequest request);

    /// <summary>Records a moderation result (decision <c>allowed</c>, <c>flagged</c> or <c>blocked</c>). When the lifecycle allows it,
    /// allowed/flagged move the asset to moderated and blocked moves it to rejected.</summary>
    Task<AssetDto> ModerateAsync(CallerContext caller, ModerationRequest request);

    /// <summary>Records an approval; <c>Lifts</c> names inherited restrictions lifted for this asset and its descendants.
    /// When the lifecycle allows it the asset moves to approved.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">A lifted restriction is not inherited by this asset.</exception>
    Task<AssetDto> ApproveAsync(CallerContext caller, ApprovalRequest request);

    /// <summary>Places a restriction (kebab-case kind, e.g. <c>no-commercial-use</c>) on this asset; it propagates to descendants.</summary>
    Task<AssetDto> RestrictAsync(CallerContext caller, RestrictionRequest request);

    /// <summary>Ancestors breadth-first (by depth, then id), depth-limited and paged.</summary>
    [ReadOnly]
    Task<LineagePage> GetAncestorsAsync(CallerContext caller, LineageQuery query);

    /// <summary>Descendants breadth-first (by depth, then id), depth-limited and paged.</summary>
    [ReadOnly]
    Task<LineagePage> GetDescendantsAsync(CallerContext caller, LineageQuery query);

    /// <summary>The root sources: ancestors without parents (this asset itself when it has none), by id.</summary>
    [ReadOnly]
    Task<IReadOnlyList<LineageNodeDto>> GetRootsAsync(CallerContext caller);

    /// <summary>A shortest parent chain from this asset up to <paramref name="ancestorId"/> (both ends included), or Found=false.</summary>
    [ReadOnly]
    Task<LineagePathDto> GetPathToAsync(CallerContext caller, string ancestorId);

    /// <summary>
    /// What lineage answers need of this asset, or null when it is not registered. No authorisation: for the
    /// lineage cache and other grains only; never hand it to a caller without redaction.
    /// </summary>
    [AlwaysInterleave]
    Task<AssetSummary?> GetSummaryAsync();
}

/// <summary>Depth limit and paging of a lineage query.</summary>
/// <param name="Depth">How many generations to walk (1-10,000; default 10).</param>
/// <param name="Limit">Most nodes per page (1-1,000; default 100).</param>
/// <param name="Cursor">The previous page's <c>NextCursor</c>, or null for the first page.</param>
[GenerateSerializer, Immutable, Alias("provenance.LineageQuery")]
public sealed record LineageQuery(int Depth = 10, int Limit = 100, string? Cursor = null)
{
    /// <summary>Deepest walk allowed.</summary>
    public const int MaxDepth = 10_000;

    /// <summary>Largest page allowed.</summary>
    public const int MaxLimit = 1_000;
}

/// <summary>The current revision of an asset as a verifier needs it (see <see cref="IAssetGrain.GetVerificationRecordAsync"/>).</summary>
/// <param name="Summary">Registered content hash, parents and revision.</param>
/// <param name="ManifestHash">The recorded manifest hash, <c>sha256:&lt;hex&gt;</c>.</param>
/// <param name="Jws">The ES256 compact JWS of the revision.</param>
/// <param name="KeyId">The manifest key that signed it.</param>
/// <param name="CanonicalManifest">The canonical manifest bytes as stored (the JWS payload); a fresh copy per call.</param>
[GenerateSerializer, Immutable, Alias("provenance.AssetVerificationRecord")]
public sealed record AssetVerificationRecord(AssetSummary Summary, string ManifestHash, string Jws, string KeyId, byte[] CanonicalManifest);

/// <summary>A parent link as the lineage cache holds it.</summary>
[GenerateSerializer, Immutable, Alias("provenance.ParentEdge")]
public sealed record ParentEdge(string AssetId, Relationship Relationship);

/// <summary>
/// The part of an asset that lineage answers and restriction propagation need. Immutable: a new summary replaces
/// the old one on every change.
/// </summary>
[GenerateSerializer, Immutable, Alias("provenance.AssetSummary")]
public sealed record AssetSummary(
    string AssetId,
    string Tenant,
    string ContentHash,
    string MediaType,
    string? Title,
    LifecycleStatus Status,
    string? Model,
    PromptVersionRef? Prompt,
    string? Creator,
    IReadOnlyList<ParentEdge> Parents,
    IReadOnlyList<string> Restrictions,
    IReadOnlyList<string> Lifts,
    long Revision);
