using Orleans;
using Orleans.Runtime;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Prompts;
using Provenance.Grains.Tenants;

namespace Provenance.Grains.Prompts;

/// <summary>One prompt version; see <see cref="IPromptVersionGrain"/>. Created only through its family grain.</summary>
/// <remarks>
/// A version of a family still in the old shape (docs/adr/0011) has no state of its own until the family moves it. On a
/// miss this grain asks the family for it once per activation and stores it itself, so a version is readable and
/// resolvable before, during and after the family's migration.
/// </remarks>
[GrainType(StorageNames.PromptVersionGrainType)]
internal sealed class PromptVersionGrain(
    [PersistentState(StorageNames.PromptVersionState, StorageNames.MetadataStorage)] IPersistentState<PromptVersionState> state,
    TimeProvider time) : Grain, IPromptVersionGrain, IPromptVersionInternalGrain
{
    private Task<PromptVersionState?>? _legacy;

    private (string Tenant, string FamilyId, string Version) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var last = key.LastIndexOf('/');
            var middle = last <= 0 ? -1 : key.LastIndexOf('/', last - 1);
            return middle < 0 ? (key, "", "") : (key[..middle], key[(middle + 1)..last], key[(last + 1)..]);
        }
    }

    /// <inheritdoc/>
    public async Task<PromptVersionDto> CreateAsync(CallerContext caller, CreatePromptVersionRequest request)
    {
        EnsureCaller(caller, Scopes.Register);
        PromptVersionRules.Validate(request);
        var (_, familyId, version) = Key;
        if (SemanticVersion.Parse(request.Version).ToString() != version)
        {
            throw new ValidationFailedException($"version must be {version} for this grain.", "version");
        }

        var existing = await LoadAsync();
        if (existing is not null && existing.Status != PromptStatus.Draft)
        {
            throw new PromptVersionImmutableException(familyId, version);
        }

        var parameters = request.Parameters?.ToJsonString();
        var references = (request.ReferenceAssets ?? []).ToList();
        await WriteAsync(new PromptVersionState
        {
            Version = version,
            Status = PromptStatus.Draft,
            SystemPrompt = request.SystemPrompt,
            UserPrompt = request.UserPrompt,
            NegativePrompt = request.NegativePrompt,
            Parameters = parameters,
            ReferenceAssets = references,
            Owner = caller.Actor,
            ContentHash = PromptVersionRules.Hash(familyId, version, request.SystemPrompt, request.UserPrompt, request.NegativePrompt, parameters, references),
            CreatedAt = time.GetUtcNow(),
        });
        return await ToDtoAsync(state.State);
    }

    /// <inheritdoc/>
    public async Task<bool> ImportAsync(PromptVersionState version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (state.RecordExists || version.Version != Key.Version)
        {
            return false;
        }

        await WriteAsync(version);
        return true;
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync() => Task.FromResult(state.RecordExists);

    /// <inheritdoc/>
    public async Task<PromptVersionDto> GetAsync(CallerContext caller)
    {
        EnsureCaller(caller, Scopes.Read);
        return await ToDtoAsync(await RequireAsync());
    }

    /// <inheritdoc/>
    public Task<PromptVersionDto> ApproveAsync(CallerContext caller, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, request, PromptStatus.Approved, from => from == PromptStatus.Draft);

    /// <inheritdoc/>
    public Task<PromptVersionDto> DeprecateAsync(CallerContext caller, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, request, PromptStatus.Deprecated, from => from is PromptStatus.Draft or PromptStatus.Approved);

    /// <inheritdoc/>
    public Task<PromptVersionDto> BlockAsync(CallerContext caller, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, request, PromptStatus.Blocked, from => from != PromptStatus.Blocked);

    /// <inheritdoc/>
    public async Task<PromptUsage?> ResolveAsync(CallerContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Tenant != Key.Tenant)
        {
            return null;
        }

        var entry = await LoadAsync();
        return entry is null ? null
            : new PromptUsage(Key.FamilyId, entry.Version, entry.Status, entry.ContentHash, entry.SystemPrompt, entry.UserPrompt, entry.NegativePrompt);
    }

    private async Task<PromptVersionDto> ChangeStatusAsync(CallerContext caller, PromptStatusRequest request, PromptStatus to, Func<PromptStatus, bool> allowedFrom)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureCaller(caller, Scopes.Register);
        var entry = await RequireAsync();
        if (!allowedFrom(entry.Status))
        {
            throw new IllegalTransitionException(Name(entry.Status), Name(to));
        }

        var approved = to == PromptStatus.Approved;
        await WriteAsync(new PromptVersionState
        {
            Version = entry.Version,
            Status = to,
            SystemPrompt = entry.SystemPrompt,
            UserPrompt = entry.UserPrompt,
            NegativePrompt = entry.NegativePrompt,
            Parameters = entry.Parameters,
            ReferenceAssets = [.. entry.ReferenceAssets],
            Owner = entry.Owner,
            ContentHash = entry.ContentHash,
            ApprovedBy = approved ? caller.Actor : entry.ApprovedBy,
            ApprovedAt = approved ? time.GetUtcNow() : entry.ApprovedAt,
            StatusReason = request.Reason,
            CreatedAt = entry.CreatedAt,
        });
        return await ToDtoAsync(state.State);
    }

    /// <summary>The version's state, or null when it does not exist.</summary>
    private async Task<PromptVersionState?> LoadAsync()
    {
        if (state.RecordExists)
        {
            return state.State;
        }

        // One lookup per activation, shared: [ReadOnly] calls interleave, and two of them must not both write.
        // Legacy copies only ever go away, so a "none" stays true for this activation.
        var lookup = _legacy ??= LoadLegacyAsync();
        try
        {
            await lookup;
        }
        catch
        {
            _legacy = null;
            throw;
        }

        return state.RecordExists ? state.State : null;
    }

    /// <summary>Asks the family for an old-shape copy of this version and stores it as this grain's state.</summary>
    private async Task<PromptVersionState?> LoadLegacyAsync()
    {
        var (tenant, familyId, version) = Key;
        var legacy = await GrainFactory.GetGrain<IPromptFamilyInternalGrain>(PromptKeys.For(tenant, familyId)).GetLegacyVersionAsync(version);
        if (legacy is not null && !state.RecordExists)
        {
            await WriteAsync(legacy);
        }

        return legacy;
    }

    private async Task<PromptVersionState> RequireAsync() =>
        await LoadAsync() ?? throw new NotFoundException("prompt version", $"{Key.FamilyId}@{Key.Version}");

    /// <summary>Writes a new state; the in-memory state changes only once the write succeeded.</summary>
    private async Task WriteAsync(PromptVersionState next)
    {
        await PromptVersionRules.WriteOrRestoreAsync(state, next, DeactivateOnIdle);
    }

    private void EnsureCaller(CallerContext caller, string scope) => PromptVersionRules.EnsureCaller(caller, scope, Key.Tenant, Key.FamilyId);

    private async Task<PromptVersionDto> ToDtoAsync(PromptVersionState v) =>
        PromptVersionRules.ToDto(Key.FamilyId, v, await GrainFactory.GetGrain<ITenantGrain>(Key.Tenant).GetPolicyAsync());

    private static string Name(PromptStatus status) => status.ToString().ToLowerInvariant();
}
