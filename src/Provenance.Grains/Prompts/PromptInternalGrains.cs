using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Prompts;

/// <summary>
/// The calls only a family grain makes on its version grains. Internal, so a cluster client (which references only
/// Provenance.Grains.Abstractions) cannot create a version its family does not record.
/// </summary>
[Alias("provenance.IPromptVersionInternalGrain")]
internal interface IPromptVersionInternalGrain : IGrainWithStringKey
{
    /// <summary>Creates the draft, or replaces it when it is still a draft. The request's version must be the key's.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">The request is malformed or names another version.</exception>
    /// <exception cref="Core.Prompts.PromptVersionImmutableException">The version is no longer a draft.</exception>
    Task<PromptVersionDto> CreateAsync(CallerContext caller, CreatePromptVersionRequest request);

    /// <summary>Stores <paramref name="version"/> (moved from an old-shape family state) unless this version already has
    /// state, which is kept. Idempotent. Returns true when it stored.</summary>
    Task<bool> ImportAsync(PromptVersionState version);

    /// <summary>Whether the version has stored state (no legacy lookup).</summary>
    [ReadOnly]
    Task<bool> ExistsAsync();
}

/// <summary>The calls only a version grain makes on its family grain.</summary>
[Alias("provenance.IPromptFamilyInternalGrain")]
internal interface IPromptFamilyInternalGrain : IGrainWithStringKey
{
    /// <summary>
    /// The version as the family's old-shape state holds it, or null when not held (or migrated already). Interleaves
    /// with the family's own turns, which may be waiting on the asking version grain; it only reads memory.
    /// </summary>
    [AlwaysInterleave, ReadOnly]
    Task<PromptVersionState?> GetLegacyVersionAsync(string version);
}
