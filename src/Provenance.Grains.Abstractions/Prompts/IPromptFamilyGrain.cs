using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Prompts;

/// <summary>
/// A prompt family of one tenant (key: <see cref="PromptKeys.For"/> = <c>"{tenant}/{familyId}"</c>): the index of its
/// versions. Each version is its own grain (<see cref="IPromptVersionGrain"/>); a version is created through its family,
/// so the family lists exactly the versions that exist (docs/adr/0011-prompt-version-grains.md).
/// Texts are returned under the tenant's prompt privacy policy (clear, hashed, redacted).
/// Only the owning tenant may call (others get <c>not-found</c>); writes need <c>register</c>, reads <c>read</c>.
/// </summary>
[Alias("provenance.IPromptFamilyGrain")]
public interface IPromptFamilyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates a draft version, or replaces a draft with the same version number, and records it in the family.
    /// Idempotent: a retry after a lost answer re-posts the same draft and lists the version once.
    /// </summary>
    /// <exception cref="Core.Assets.ValidationFailedException">Malformed version or family id, or an empty user prompt.</exception>
    /// <exception cref="Core.Prompts.PromptVersionImmutableException">The version exists and is no longer a draft.</exception>
    Task<PromptVersionDto> CreateVersionAsync(CallerContext caller, CreatePromptVersionRequest request);

    /// <summary>The family with every version, by version number (each read from its version grain).</summary>
    /// <exception cref="Core.Assets.NotFoundException">No version exists.</exception>
    Task<PromptFamilyDto> GetFamilyAsync(CallerContext caller);

    /// <summary>Per-field differences between two versions of the family, with line diffs of multi-line texts.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">A version is malformed (field <c>from</c> or <c>to</c>).</exception>
    /// <exception cref="Core.Assets.NotFoundException">A version does not exist.</exception>
    Task<PromptDiffDto> DiffAsync(CallerContext caller, string fromVersion, string toVersion);
}

/// <summary>
/// One prompt version of one tenant's family (key: <see cref="PromptKeys.ForVersion"/> =
/// <c>"{tenant}/{familyId}/{version}"</c>, the version in its normal MAJOR.MINOR.PATCH form). A draft may be re-posted
/// (through <see cref="IPromptFamilyGrain.CreateVersionAsync"/>) to change it; anything else is immutable.
/// Texts are returned under the tenant's prompt privacy policy. Only the owning tenant may call (others get
/// <c>not-found</c>); writes need <c>register</c>, reads <c>read</c>.
/// </summary>
[Alias("provenance.IPromptVersionGrain")]
public interface IPromptVersionGrain : IGrainWithStringKey
{
    /// <summary>The version.</summary>
    /// <exception cref="Core.Assets.NotFoundException">The version does not exist.</exception>
    [ReadOnly]
    Task<PromptVersionDto> GetAsync(CallerContext caller);

    /// <summary>Approves a draft (records approver and time); it becomes immutable.</summary>
    /// <exception cref="Core.Assets.NotFoundException">The version does not exist.</exception>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is not a draft.</exception>
    Task<PromptVersionDto> ApproveAsync(CallerContext caller, PromptStatusRequest request);

    /// <summary>Deprecates a draft or approved version.</summary>
    /// <exception cref="Core.Assets.NotFoundException">The version does not exist.</exception>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is deprecated or blocked already.</exception>
    Task<PromptVersionDto> DeprecateAsync(CallerContext caller, PromptStatusRequest request);

    /// <summary>Blocks a version: assets can no longer be registered with it.</summary>
    /// <exception cref="Core.Assets.NotFoundException">The version does not exist.</exception>
    /// <exception cref="Core.Assets.IllegalTransitionException">The version is blocked already.</exception>
    Task<PromptVersionDto> BlockAsync(CallerContext caller, PromptStatusRequest request);

    /// <summary>What an asset registration needs of the version (status and hashes, clear texts for search), or null
    /// when it does not exist or the caller is of another tenant.</summary>
    [ReadOnly]
    Task<PromptUsage?> ResolveAsync(CallerContext caller);
}

/// <summary>A prompt version as an asset registration sees it.</summary>
/// <param name="ContentHash">Hash of the canonical version (RFC 8785 JSON of its texts, parameters and references).</param>
[GenerateSerializer, Immutable, Alias("provenance.PromptUsage")]
public sealed record PromptUsage(string FamilyId, string Version, PromptStatus Status, string ContentHash, string? SystemPrompt, string UserPrompt, string? NegativePrompt);

/// <summary>Keys of prompt grains.</summary>
public static class PromptKeys
{
    /// <summary>The family key of <paramref name="familyId"/> within <paramref name="tenant"/>: <c>"{tenant}/{familyId}"</c>.</summary>
    public static string For(string tenant, string familyId) => $"{tenant}/{familyId}";

    /// <summary>The key of one version: <c>"{tenant}/{familyId}/{version}"</c>, the version normalised.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException"><paramref name="version"/> is not MAJOR.MINOR.PATCH (field <c>version</c>).</exception>
    public static string ForVersion(string tenant, string familyId, string version) =>
        $"{For(tenant, familyId)}/{Core.Prompts.SemanticVersion.Parse(version)}";
}
