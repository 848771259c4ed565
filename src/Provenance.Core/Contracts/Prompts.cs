using System.Text.Json.Nodes;

namespace Provenance.Core.Contracts;

/// <summary>Status of a prompt version. Approved versions are immutable; a new wording is a new version.</summary>
public enum PromptStatus { Draft, Approved, Deprecated, Blocked }

/// <summary>POST /v1/prompts/{familyId}/versions.</summary>
/// <param name="Version">Semantic version, e.g. 1.2.0; must be new within the family.</param>
public sealed record CreatePromptVersionRequest(
    string Version,
    string? SystemPrompt,
    string UserPrompt,
    string? NegativePrompt = null,
    JsonObject? Parameters = null,
    IReadOnlyList<string>? ReferenceAssets = null);

/// <summary>A prompt version. Under a tenant privacy policy of <c>hashed</c> or <c>redacted</c>, texts are replaced by their hashes.</summary>
public sealed record PromptVersionDto(
    string FamilyId,
    string Version,
    PromptStatus Status,
    string? SystemPrompt,
    string? UserPrompt,
    string? NegativePrompt,
    JsonObject? Parameters,
    IReadOnlyList<string> ReferenceAssets,
    string Owner,
    string ContentHash,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    DateTimeOffset CreatedAt);

/// <summary>GET /v1/prompts/{familyId}.</summary>
public sealed record PromptFamilyDto(string FamilyId, string Tenant, IReadOnlyList<PromptVersionDto> Versions);

/// <summary>POST /v1/prompts/{familyId}/versions/{version}/{approve|deprecate|block}.</summary>
public sealed record PromptStatusRequest(string? Reason = null);

/// <summary>Kind of one line-diff operation.</summary>
public enum DiffOp { Equal, Insert, Delete }

/// <summary>One line of a text diff; line numbers are 1-based, absent on the side the line is not on.</summary>
public sealed record DiffLineDto(DiffOp Op, string Text, int? OldLine, int? NewLine);

/// <summary>Per-field change between two prompt versions.</summary>
public sealed record FieldDiffDto(string Field, string Change, string? Old, string? New, IReadOnlyList<DiffLineDto>? Lines);

/// <summary>GET /v1/prompts/{familyId}/diff?from=&amp;to=.</summary>
public sealed record PromptDiffDto(string FamilyId, string From, string To, IReadOnlyList<FieldDiffDto> Fields);
