using Provenance.Core.Contracts;

namespace Provenance.Grains.Prompts;

/// <summary>Stored state of a prompt family: every version, in creation order.</summary>
public sealed class PromptState
{
    public string Tenant { get; set; } = "";
    public string FamilyId { get; set; } = "";
    public List<PromptVersionState> Versions { get; set; } = [];
}

/// <summary>One stored prompt version; immutable once its status leaves draft.</summary>
public sealed class PromptVersionState
{
    public string Version { get; set; } = "";
    public PromptStatus Status { get; set; }
    public string? SystemPrompt { get; set; }
    public string UserPrompt { get; set; } = "";
    public string? NegativePrompt { get; set; }
    /// <summary>Parameters as JSON text.</summary>
    public string? Parameters { get; set; }
    public List<string> ReferenceAssets { get; set; } = [];
    public string Owner { get; set; } = "";
    public string ContentHash { get; set; } = "";
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public string? StatusReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
