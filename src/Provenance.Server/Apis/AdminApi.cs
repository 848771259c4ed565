using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Orleans;
using Provenance.Grains;
using Provenance.Grains.Tenants;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>
/// API keys and tenant policy (scope <c>admin</c>). An admin key acts on its own tenant; an admin key of the
/// operator tenant <c>default</c> may also create keys for, and read or set the policy of, any other tenant
/// (<c>?tenant=</c> on the policy routes).
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin").WithTags("Admin").RequireScope(Scopes.Admin);

        group.MapPost("/api-keys", CreateKeyAsync).WithName("CreateApiKey")
            .WithSummary("Create an API key; the secret is in this answer only.");
        group.MapGet("/api-keys", ListKeysAsync).WithName("ListApiKeys")
            .WithSummary("List the API keys of the caller's tenant (secrets are never shown).");
        group.MapDelete("/api-keys/{keyId}", RevokeKeyAsync).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key; it stops working at once.");
        group.MapGet("/tenant-policy", GetPolicyAsync).WithName("GetTenantPolicy")
            .WithSummary("Read the tenant policy (prompt privacy, drafts, trusted tenants).");
        group.MapPut("/tenant-policy", PutPolicyAsync).WithName("PutTenantPolicy")
            .WithSummary("Replace the tenant policy.");
        return routes;
    }

    private static async Task<Created<ApiKeyDto>> CreateKeyAsync(CreateApiKeyRequest request, ClaimsPrincipal user, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (!Tenants.IsValid(request.Tenant))
        {
            throw ApiProblemException.Invalid("tenant", "A tenant is 1-64 characters of lowercase letters, digits, '-', '_' and '.'.");
        }

        if (request.Tenant != user.Tenant() && !user.IsOperator())
        {
            throw new ApiProblemException(ProblemCodes.Forbidden, "Only admin keys of the operator tenant 'default' may create keys for another tenant.", "tenant", Core.ErrorKind.Forbidden);
        }

        if (request.Scopes is null || request.Scopes.Count == 0)
        {
            throw ApiProblemException.Invalid("scopes", "Give at least one scope.");
        }

        for (var i = 0; i < request.Scopes.Count; i++)
        {
            if (!Scopes.All.Contains(request.Scopes[i]))
            {
                throw ApiProblemException.Invalid($"scopes[{i}]", $"Unknown scope; use {string.Join(", ", Scopes.All)}.");
            }
        }

        if (request.Description is { Length: > 200 })
        {
            throw ApiProblemException.Invalid("description", "A description is at most 200 characters.");
        }

        var key = await keys.CreateAsync(request.Tenant, request.Scopes.Distinct().ToArray(), request.Description, cancellationToken);
        return TypedResults.Created($"/v1/admin/api-keys/{key.KeyId}", key);
    }

    private static async Task<Ok<ApiKeyDto[]>> ListKeysAsync(ClaimsPrincipal user, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        var list = await keys.ListAsync(user.Tenant(), cancellationToken);
        return TypedResults.Ok(list.Select(k => k.ToDto()).ToArray());
    }

    private static async Task<NoContent> RevokeKeyAsync(string keyId, ClaimsPrincipal user, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.IsKeyId(keyId) || !await keys.RevokeAsync(keyId, user.IsOperator() ? null : user.Tenant(), cancellationToken))
        {
            throw ApiProblemException.NotFound("The API key", "keyId");
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<TenantPolicyDto>> GetPolicyAsync(string? tenant, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantGrain>(TargetTenant(tenant, user)).GetPolicyAsync());

    /// <summary>The tenant grain holds the policy (the grains enforce it); the operator acts on another tenant's behalf.</summary>
    private static async Task<Ok<TenantPolicyDto>> PutPolicyAsync(string? tenant, TenantPolicyDto policy, ClaimsPrincipal user, IGrainFactory grains)
    {
        var target = TargetTenant(tenant, user);
        var trusted = policy.TrustedTenants ?? [];
        for (var i = 0; i < trusted.Count; i++)
        {
            if (!Tenants.IsValid(trusted[i]))
            {
                throw ApiProblemException.Invalid($"trustedTenants[{i}]", "Not a valid tenant name.");
            }
        }

        if (!Enum.IsDefined(policy.PromptPrivacy))
        {
            throw ApiProblemException.Invalid("promptPrivacy", "Use clear, hashed or redacted.");
        }

        var caller = new CallerContext(target, user.Actor(), user.FindAll(CallerClaims.Scope).Select(c => c.Value));
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(target).SetPolicyAsync(caller, policy));
    }

    private static string TargetTenant(string? tenant, ClaimsPrincipal user)
    {
        if (string.IsNullOrEmpty(tenant) || tenant == user.Tenant())
        {
            return user.Tenant();
        }

        if (!Tenants.IsValid(tenant))
        {
            throw ApiProblemException.Invalid("tenant", "Not a valid tenant name.");
        }

        return user.IsOperator()
            ? tenant
            : throw new ApiProblemException(ProblemCodes.Forbidden, "Only admin keys of the operator tenant 'default' may act on another tenant's policy.", "tenant", Core.ErrorKind.Forbidden);
    }
}
