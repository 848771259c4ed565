using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Tenants;

/// <summary>Holds a tenant's policy; see <see cref="ITenantGrain"/>.</summary>
[GrainType(StorageNames.TenantGrainType)]
public sealed class TenantGrain([PersistentState(StorageNames.TenantState, StorageNames.MetadataStorage)] IPersistentState<TenantState> state) : Grain, ITenantGrain
{
    private TenantPolicyDto? _policy;

    /// <inheritdoc/>
    public Task<TenantPolicyDto> GetPolicyAsync() => Task.FromResult(_policy ??= ToDto(state.State));

    /// <inheritdoc/>
    public async Task<TenantPolicyDto> SetPolicyAsync(CallerContext caller, TenantPolicyDto policy)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(policy);
        caller.Require(Scopes.Admin);
        if (caller.Tenant != this.GetPrimaryKeyString())
        {
            throw new ForbiddenException("A tenant's policy can only be changed by its own admin keys.");
        }

        var trusted = (policy.TrustedTenants ?? []).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < trusted.Count; i++)
        {
            AssetIds.EnsureValid(trusted[i], $"trustedTenants[{i}]");
        }

        var previous = state.State;
        state.State = new TenantState { PromptPrivacy = policy.PromptPrivacy, AllowDraftPrompts = policy.AllowDraftPrompts, TrustedTenants = trusted };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }

        return _policy = ToDto(state.State);
    }

    private static TenantPolicyDto ToDto(TenantState s) => new(s.PromptPrivacy, s.AllowDraftPrompts, [.. s.TrustedTenants]);
}
