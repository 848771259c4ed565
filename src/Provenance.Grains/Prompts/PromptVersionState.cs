using Provenance.Core.Contracts;

namespace Provenance.Grains.Prompts;

/// <summary>
/// Stored state of one prompt version (state name <see cref="StorageNames.PromptVersionState"/>); immutable once its
/// status leaves draft. The same shape is an element of the old family state (<see cref="PromptFamilyState.Versions"/>),
/// and crosses the family-to-version calls that move it.
/// </summary>
[GenerateSerializer, Alias("provenance.PromptVersionState")]
public sealed class PromptVersionState
{
    [Id(0)] public string Version { get; set; } = "";
    [Id(1)] public PromptStatus Status { get; set; }
    [Id(2)] public string? SystemPrompt { get; set; }
    [Id(3)] public string UserPrompt { get; set; } = "";
    [Id(4)] public string? NegativePrompt { get; set; }
    /// <summary>Parameters as JSON text.</summary>
    [Id(5)] public string? Parameters { get; set; }
    [Id(6)] public List<string> ReferenceAssets { get; set; } = [];
    [Id(7)] public string Owner { get; set; } = "";
    [Id(8)] public string ContentHash { get; set; } = "";
    [Id(9)] public string? ApprovedBy { get; set; }
    [Id(10)] public DateTimeOffset? ApprovedAt { get; set; }
    [Id(11)] public string? StatusReason { get; set; }
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
}
