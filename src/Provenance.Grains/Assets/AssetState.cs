using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Assets;

/// <summary>Stored state of an asset: its claims, lifecycle, decisions, audit trail and the head manifest revision.</summary>
public sealed class AssetState
{
    public string AssetId { get; set; } = "";
    public string Tenant { get; set; } = "";
    public string ContentHash { get; set; } = "";
    public string MediaType { get; set; } = "";
    public string? Title { get; set; }
    public List<string> Tags { get; set; } = [];
    public List<ParentState> Parents { get; set; } = [];
    public string? Project { get; set; }
    public string Creator { get; set; } = "";
    public ToolInfo? Tool { get; set; }
    public string? Provider { get; set; }
    public string? Model { get; set; }
    public string? ModelVersion { get; set; }
    public AssetPromptRef? Prompt { get; set; }
    /// <summary>Generation parameters as JSON text.</summary>
    public string? Parameters { get; set; }
    public LifecycleStatus Status { get; set; }
    public string? StatusReason { get; set; }
    public List<RestrictionState> Restrictions { get; set; } = [];
    public List<ModerationDto> Moderation { get; set; } = [];
    public List<ApprovalDto> Approvals { get; set; } = [];
    public List<AuditRecordDto> Audit { get; set; } = [];
    /// <summary>Manifest revision (1 at registration, +1 per change).</summary>
    public long Revision { get; set; }
    public string ManifestHash { get; set; } = "";
    /// <summary>Compact JWS of the head manifest; its payload is the manifest's RFC 8785 bytes (not stored twice).</summary>
    public string Jws { get; set; } = "";
    public string KeyId { get; set; } = "";
    /// <summary>SHA-256 (hex) of the registration request; a retry with the same claims gets the same answer. Null before 2026-12.</summary>
    public string? RegistrationClaims { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A parent link with what the child must show without asking the parent (its hash and tenant, for redaction).</summary>
public sealed record ParentState(string AssetId, string ContentHash, Relationship Relationship, string Tenant);

/// <summary>The exact prompt version an asset used.</summary>
public sealed record AssetPromptRef(string FamilyId, string Version, string ContentHash);

/// <summary>A restriction on this asset.</summary>
public sealed record RestrictionState(string Kind, string? Reason, string By, DateTimeOffset At);
