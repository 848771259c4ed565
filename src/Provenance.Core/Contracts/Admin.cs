namespace Provenance.Core.Contracts;

/// <summary>API key scopes.</summary>
public static class Scopes
{
    /// <summary>Register assets and change their lifecycle, moderation, approvals, prompts.</summary>
    public const string Register = "register";
    /// <summary>Read assets, lineage, proofs, epochs; verify.</summary>
    public const string Read = "read";
    /// <summary>Trigger epoch commits.</summary>
    public const string Anchor = "anchor";
    /// <summary>Manage API keys, webhooks, tenant policy; see the runtime view.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope.</summary>
    public static readonly IReadOnlyList<string> All = [Register, Read, Anchor, Admin];
}

/// <summary>POST /v1/admin/api-keys.</summary>
public sealed record CreateApiKeyRequest(string Tenant, IReadOnlyList<string> Scopes, string? Description = null);

/// <summary>An API key; <see cref="Secret"/> is only present in the answer that created it.</summary>
public sealed record ApiKeyDto(string KeyId, string Tenant, IReadOnlyList<string> Scopes, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Secret = null);

/// <summary>GET /v1/me: the key that made the request, its tenant and scopes (never the secret).</summary>
public sealed record CallerDto(string KeyId, string Tenant, IReadOnlyList<string> Scopes);

/// <summary>Prompt privacy policy of a tenant: what manifests and the API keep of prompt texts.</summary>
public enum PromptPrivacy { Clear, Hashed, Redacted }

/// <summary>PUT /v1/admin/tenant-policy.</summary>
public sealed record TenantPolicyDto(PromptPrivacy PromptPrivacy = PromptPrivacy.Clear, bool AllowDraftPrompts = false, IReadOnlyList<string>? TrustedTenants = null);

/// <summary>POST /v1/webhooks.</summary>
public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string>? Events = null);

/// <summary>A webhook subscription; <see cref="Secret"/> (the HMAC key) is only present in the answer that created it.</summary>
public sealed record WebhookDto(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, string? Secret = null);

/// <summary>A public signing key (JWK fields for P-256) and its status.</summary>
public sealed record PublicKeyDto(string Kid, string Status, string Kty, string Crv, string X, string Y, string Pem, DateTimeOffset CreatedAt);

/// <summary>One audit-job finding (a stored record that failed re-verification).</summary>
public sealed record AuditFindingDto(long Id, string Kind, string Subject, string Detail, DateTimeOffset FoundAt);

/// <summary>GET /v1/runtime: grain runtime statistics for the dashboard.</summary>
public sealed record RuntimeStatsDto(DateTimeOffset At, IReadOnlyList<GrainTypeStatsDto> GrainTypes, long StorageErrors, long TsaFailures, double? TsaLatencyMsP50);

/// <summary>
/// Per grain type runtime statistics of this silo: activations (Orleans' management grain), and calls since start,
/// failed calls, calls in progress and latency percentiles of the recent calls (the silo's incoming call filter).
/// </summary>
public sealed record GrainTypeStatsDto(string GrainType, long ActiveActivations, long Calls, long FailedCalls, long QueueLength, double LatencyMsP50, double LatencyMsP95, double LatencyMsP99);
