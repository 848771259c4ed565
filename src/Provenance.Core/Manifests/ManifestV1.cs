using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Core.Hashing;

namespace Provenance.Core.Manifests;

/// <summary>
/// Version 1 of the provenance manifest: what an asset is, where it came from, who and what made it,
/// and what happened to it. Serialised by <see cref="ManifestCodec"/> as camelCase JSON without nulls,
/// canonicalised with RFC 8785 before hashing and signing. Collections are copied on assignment and
/// exposed read-only, so a manifest never changes after construction.
/// </summary>
public sealed record ManifestV1
{
    /// <summary>Always <see cref="Labels.ManifestSchemaV1"/>.</summary>
    public string SchemaVersion => Labels.ManifestSchemaV1;

    /// <summary>Stable, opaque asset id.</summary>
    public required string AssetId { get; init; }

    /// <summary>SHA-256 of the asset's exact bytes.</summary>
    public required ContentHash ContentHash { get; init; }

    /// <summary>Media type of the asset bytes (RFC 6838), e.g. <c>image/png</c>.</summary>
    public required string MediaType { get; init; }

    /// <summary>Human title, if any.</summary>
    public string? Title { get; init; }

    /// <summary>Free-form tags, in the order given.</summary>
    public IReadOnlyList<string> Tags { get; init => field = Freeze(value); } = [];

    /// <summary>Assets this one derives from; empty for an original.</summary>
    public IReadOnlyList<ParentLink> Parents { get; init => field = Freeze(value); } = [];

    /// <summary>Owning tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Project within the tenant, if any.</summary>
    public string? Project { get; init; }

    /// <summary>Who registered the asset.</summary>
    public required ActorRef Creator { get; init; }

    /// <summary>Software that produced the asset, if any.</summary>
    public ToolRef? Tool { get; init; }

    /// <summary>Model provider, e.g. an API vendor, if any.</summary>
    public string? Provider { get; init; }

    /// <summary>Model name, if any.</summary>
    public string? Model { get; init; }

    /// <summary>Model version, if any.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Exact prompt version used, if any.</summary>
    public PromptRef? Prompt { get; init; }

    /// <summary>
    /// Generation parameters (seed, sampler, steps, guidance...) as an open JSON object; numbers in it must
    /// be finite. A <see cref="JsonElement"/> is immutable, unlike a <c>JsonObject</c>.
    /// </summary>
    public JsonElement? GenerationParameters { get; init => field = value?.Clone(); }

    /// <summary>Moderation outcome, if moderated.</summary>
    public ModerationResult? Moderation { get; init; }

    /// <summary>Approvals granted, in the order given.</summary>
    public IReadOnlyList<Approval> Approvals { get; init => field = Freeze(value); } = [];

    /// <summary>Lifecycle status at the time the manifest was issued.</summary>
    public required LifecycleStatus Status { get; init; }

    /// <summary>Why the asset is in its status (required in practice for failed, rejected, revoked), if given.</summary>
    public string? StatusReason { get; init; }

    /// <summary>Restrictions on use; they propagate to descendants unless lifted by an approval.</summary>
    public IReadOnlyList<Restriction> Restrictions { get; init => field = Freeze(value); } = [];

    /// <summary>When the asset was registered; serialised as RFC 3339 UTC with <c>Z</c>.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    internal static IReadOnlyList<T> Freeze<T>(IReadOnlyList<T>? value) =>
        value is null or { Count: 0 } ? ImmutableArray<T>.Empty : value as ImmutableArray<T>? ?? [.. value];
}

/// <summary>A link to a parent asset, pinned by its content hash.</summary>
/// <param name="AssetId">The parent's asset id.</param>
/// <param name="ContentHash">The parent's content hash, as registered.</param>
/// <param name="Relationship">How this asset relates to the parent.</param>
public sealed record ParentLink(string AssetId, ContentHash ContentHash, Relationship Relationship);

/// <summary>How a derived asset relates to a parent; serialised in camelCase.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Relationship>))]
public enum Relationship
{
    /// <summary>The parent is a direct ancestor (edit, remix, upscale...).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("parentOf")]
    ParentOf,
    /// <summary>The parent is included as a component (layer, clip, track).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("componentOf")]
    ComponentOf,
    /// <summary>The parent was an input to generation (reference image, conditioning).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("inputTo")]
    InputTo,
}

/// <summary>Lifecycle status of an asset; serialised in camelCase.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<LifecycleStatus>))]
public enum LifecycleStatus
{
    /// <summary>Generation was requested.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("requested")]
    Requested,
    /// <summary>The asset was produced.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("generated")]
    Generated,
    /// <summary>Moderation ran.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("moderated")]
    Moderated,
    /// <summary>Approved for use.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("approved")]
    Approved,
    /// <summary>Rejected by moderation or review.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("rejected")]
    Rejected,
    /// <summary>Published.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("published")]
    Published,
    /// <summary>Withdrawn after publication.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("revoked")]
    Revoked,
    /// <summary>Generation or processing failed.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("failed")]
    Failed,
    /// <summary>A failed step is being retried.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("retrying")]
    Retrying,
    /// <summary>A failed or inconsistent record was repaired.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("repaired")]
    Repaired,
}

/// <summary>Moderation decision; serialised in camelCase.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ModerationDecision>))]
public enum ModerationDecision
{
    /// <summary>Allowed.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("allowed")]
    Allowed,
    /// <summary>Allowed but flagged for review.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("flagged")]
    Flagged,
    /// <summary>Blocked.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("blocked")]
    Blocked,
}

/// <summary>A person or service that acted.</summary>
/// <param name="Id">Stable identifier (user id, service principal).</param>
/// <param name="DisplayName">Human name, if any.</param>
public sealed record ActorRef(string Id, string? DisplayName = null);

/// <summary>Software that produced an asset.</summary>
/// <param name="Name">Tool name.</param>
/// <param name="Version">Tool version.</param>
public sealed record ToolRef(string Name, string Version);

/// <summary>The exact prompt version an asset was generated from.</summary>
/// <param name="FamilyId">Prompt family id.</param>
/// <param name="Version">Version within the family (immutable once approved); a string, as in the API contracts.</param>
/// <param name="TextHash">SHA-256 of the prompt text's UTF-8 bytes, if recorded.</param>
public sealed record PromptRef(string FamilyId, string Version, ContentHash? TextHash = null);

/// <summary>Outcome of moderation.</summary>
public sealed record ModerationResult
{
    /// <summary>Rules that were evaluated or triggered.</summary>
    public IReadOnlyList<string> Rules { get; init => field = ManifestV1.Freeze(value); } = [];

    /// <summary>Scores by category. Precondition: every value is finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite (on assignment).</exception>
    public IReadOnlyDictionary<string, double> Scores
    {
        get;
        init
        {
            foreach (var (category, score) in value)
            {
                if (!double.IsFinite(score))
                {
                    throw new ArgumentOutOfRangeException(nameof(Scores), score, $"Moderation score '{category}' must be finite.");
                }
            }

            field = value.ToImmutableSortedDictionary(StringComparer.Ordinal);
        }
    } = ImmutableSortedDictionary<string, double>.Empty;

    /// <summary>The decision.</summary>
    public required ModerationDecision Decision { get; init; }

    /// <summary>Human reviewer, if any.</summary>
    public ActorRef? Reviewer { get; init; }
}

/// <summary>An approval granted to an asset.</summary>
/// <param name="Approver">Who approved.</param>
/// <param name="Scope">What is approved, e.g. <c>publish</c> or <c>lift:no-commercial-use</c>.</param>
/// <param name="At">When; serialised as RFC 3339 UTC.</param>
/// <param name="Reason">Why, if given.</param>
public sealed record Approval(ActorRef Approver, string Scope, DateTimeOffset At, string? Reason = null);

/// <summary>A restriction on use, e.g. a licence or <c>no-commercial-use</c>.</summary>
/// <param name="Kind">Kebab-case restriction kind, e.g. <c>licence</c>, <c>no-commercial-use</c>, <c>blocked</c>.</param>
/// <param name="Detail">Kind-specific detail (licence id, reason), if any.</param>
public sealed record Restriction(string Kind, string? Detail = null);
