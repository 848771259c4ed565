using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Prompts;

/// <summary>
/// A prompt family of one tenant (key: <see cref="PromptKeys.For"/> = <c>"{tenant}/{familyId}"</c>) and its versions.
/// Versions are semantic (MAJOR.MINOR.PATCH); a draft may be re-posted to change it, anything else is immutable.
/// Texts are returned under the tenant's prompt privacy policy (clear, hashed, redacted).
/// Only the owning tenant may call (others get <c>not-found</c>); writes need <c>register</c>, reads <c>read</c>.
/// </summary>
public interface IPromptGrain : IGrainWithStringKey
{
    /// <summary>Creates a draft version, or replaces a draft with the same version number.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">Malformed version or family id, or an empty user prompt.</exception>
    /// <exception cref="Core.Prompts.PromptVersionImmutableException">The version exists and is no longer a draft.</exception>
    Task<PromptVersionDto> CreateVersionAsync(CallerContext caller, CreatePromptVersionRequest request);

    /// <summary>The family with every version, by version number.</summary>
    /// <exception cref="Core.Assets.NotFoundException">No version exists.</exception>
    [ReadOnly]
    Task<PromptFamilyDto> GetFamilyAsync(CallerContext caller);

    /// <summary>One version.</summary>
    /// <exception cref="Core.Assets.NotFoundException">Unknown version.</exception>
    [ReadOnly]
    Task<PromptVersionDto> GetVersionAsync(CallerContext caller, string version);

    /// <summary>Approves a draft (records approver and time); it becomes immutable.</summary>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is not a draft.</exception>
    Task<PromptVersionDto> ApproveAsync(CallerContext caller, string version, PromptStatusRequest request);

    /// <summary>Deprecates a draft or approved version.</summary>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is deprecated or blocked already.</exception>
    Task<PromptVersionDto> DeprecateAsync(CallerContext caller, string version, PromptStatusRequest request);

    /// <summary>Blocks a version: assets can no longer be registered with it.</summary>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is blocked already.</exception>
    Task<PromptVersionDto> BlockAsync(CallerContext caller, string version, PromptStatusRequest request);

    /// <summary>Per-field differences between two versions, with line diffs of multi-line texts.</summary>
    [ReadOnly]
    Task<PromptDiffDto> DiffAsync(CallerContext caller, string fromVersion, string toVersion);

    /// <summary>What an asset registration needs of a version (status and hashes, clear texts for search), or null when unknown.
    /// For the asset grain: the caller must be of the family's tenant.</summary>
    [ReadOnly]
    Task<PromptUsage?> ResolveAsync(CallerContext caller, string version);
}

/// <summary>A prompt version as an asset registration sees it.</summary>
/// <param name="ContentHash">Hash of the canonical version (RFC 8785 JSON of its texts, parameters and references).</param>
[GenerateSerializer, Immutable, Alias("provenance.PromptUsage")]
public sealed record PromptUsage(string FamilyId, string Version, PromptStatus Status, string ContentHash, string? SystemPrompt, string UserPrompt, string? NegativePrompt);

/// <summary>Keys of prompt grains.</summary>
public static class PromptKeys
{
    /// <summary>The key of <paramref name="familyId"/> within <paramref name="tenant"/>.</summary>
    public static string For(string tenant, string familyId) => $"{tenant}/{familyId}";
}
