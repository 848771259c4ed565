using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Core.Manifests;

namespace Provenance.Core.Contracts;

// Relationship and LifecycleStatus are the manifest's own enums (Provenance.Core.Manifests), so the
// wire names of the API and of signed manifests can never drift apart.
// Public API contracts (JSON over HTTP, camelCase, nulls omitted), shared by the server, the typed
// client, the CLI and the dashboard. Wire names are part of the public API: rename nothing lightly.

/// <summary>A parent link claimed by a derivative.</summary>
public sealed record ParentClaim(string AssetId, Relationship Relationship = Relationship.ParentOf);

/// <summary>Reference to an exact prompt version.</summary>
public sealed record PromptVersionRef(string FamilyId, string Version);

/// <summary>Tool that made an asset.</summary>
public sealed record ToolInfo(string Name, string? Version = null);

/// <summary>POST /v1/assets: register an asset by content hash.</summary>
/// <param name="AssetId">Optional caller-chosen stable id (1-128 chars of [A-Za-z0-9._:-]); generated when absent.</param>
/// <param name="ContentHash"><c>sha256:&lt;64 lowercase hex&gt;</c> of the exact bytes.</param>
public sealed record RegisterAssetRequest(
    string? AssetId,
    string ContentHash,
    string MediaType,
    string? Title = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<ParentClaim>? Parents = null,
    string? Project = null,
    string? Creator = null,
    ToolInfo? Tool = null,
    string? Provider = null,
    string? Model = null,
    string? ModelVersion = null,
    PromptVersionRef? Prompt = null,
    JsonObject? Parameters = null,
    LifecycleStatus Status = LifecycleStatus.Generated,
    IReadOnlyList<string>? Restrictions = null);

/// <summary>An asset as the API returns it. <see cref="ChildCount"/> (derivatives linking it as a parent, any tenant) is
/// filled by GET /v1/assets/{id} only; answers to writes leave it null.</summary>
public sealed record AssetDto(
    string AssetId,
    string Tenant,
    string ContentHash,
    string MediaType,
    string? Title,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ParentLinkDto> Parents,
    string? Project,
    string? Creator,
    ToolInfo? Tool,
    string? Provider,
    string? Model,
    string? ModelVersion,
    PromptVersionRef? Prompt,
    LifecycleStatus Status,
    IReadOnlyList<string> Restrictions,
    IReadOnlyList<InheritedRestrictionDto> InheritedRestrictions,
    IReadOnlyList<ModerationDto> Moderation,
    IReadOnlyList<ApprovalDto> Approvals,
    string ManifestHash,
    string SigningKeyId,
    long? LogIndex,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long? ChildCount = null);

/// <summary>A parent link as stored; a parent owned by another tenant is redacted (id and hash only).</summary>
public sealed record ParentLinkDto(string AssetId, string ContentHash, Relationship Relationship, bool Redacted = false);

/// <summary>A restriction that reaches this asset from an ancestor and has not been lifted.</summary>
public sealed record InheritedRestrictionDto(string Restriction, string FromAssetId);

/// <summary>POST /v1/assets/{id}/parents.</summary>
public sealed record AddParentRequest(string ParentId, Relationship Relationship = Relationship.ParentOf, string? Reason = null);

/// <summary>POST /v1/assets/{id}/status: a lifecycle transition; a reason is required for rejected, revoked and failed.</summary>
public sealed record TransitionRequest(LifecycleStatus Status, string? Reason = null);

/// <summary>POST /v1/assets/{id}/moderation.</summary>
public sealed record ModerationRequest(string Decision, IReadOnlyList<string>? Rules = null, IReadOnlyDictionary<string, double>? Scores = null, string? Reviewer = null);

/// <summary>A moderation result.</summary>
public sealed record ModerationDto(string Decision, IReadOnlyList<string> Rules, IReadOnlyDictionary<string, double> Scores, string? Reviewer, DateTimeOffset At);

/// <summary>POST /v1/assets/{id}/approvals: an approval, optionally lifting inherited restrictions for this asset and its descendants.</summary>
public sealed record ApprovalRequest(string Scope, string? Reason = null, IReadOnlyList<string>? Lifts = null);

/// <summary>An approval.</summary>
public sealed record ApprovalDto(string Approver, string Scope, string? Reason, IReadOnlyList<string> Lifts, DateTimeOffset At);

/// <summary>POST /v1/assets/{id}/restrictions.</summary>
public sealed record RestrictionRequest(string Restriction, string? Reason = null);

/// <summary>One audit-trail record: every state change of an asset appends one.</summary>
public sealed record AuditRecordDto(long Sequence, string Action, string Actor, DateTimeOffset At, string? Reason, string? BeforeHash, string AfterHash);

/// <summary>GET /v1/assets/{id}/manifest: the signed manifest.</summary>
/// <param name="Manifest">The manifest as JSON.</param>
/// <param name="CanonicalBase64">The exact RFC 8785 bytes that were hashed and signed, base64.</param>
/// <param name="Jws">ES256 compact JWS over the canonical bytes.</param>
public sealed record SignedManifestDto(JsonElement Manifest, string CanonicalBase64, string ManifestHash, string Jws, string KeyId);
