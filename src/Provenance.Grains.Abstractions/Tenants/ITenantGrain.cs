using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Tenants;

/// <summary>A tenant's policy (key: the tenant id). A tenant that was never configured has the default policy.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The policy. No authorisation: other grains read it to enforce it; the server checks <c>admin</c> before showing it.</summary>
    [ReadOnly]
    Task<TenantPolicyDto> GetPolicyAsync();

    /// <summary>Replaces the policy.</summary>
    /// <exception cref="Core.Assets.ForbiddenException">The caller lacks <c>admin</c> or belongs to another tenant.</exception>
    /// <exception cref="Core.Assets.ValidationFailedException">A trusted tenant id is malformed.</exception>
    Task<TenantPolicyDto> SetPolicyAsync(CallerContext caller, TenantPolicyDto policy);
}
