using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans;
using Provenance.Core.Contracts;
using Provenance.Grains;
using Provenance.Grains.Prompts;
using Provenance.Server.Auth;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>
/// Prompt families and versions of the caller's tenant: family routes call the family grain (key <c>{tenant}/{familyId}</c>),
/// version routes the version grain (key <c>{tenant}/{familyId}/{version}</c>), so another tenant's family is simply not found.
/// </summary>
internal static class PromptsApi
{
    public static IEndpointRouteBuilder MapPromptsApi(this IEndpointRouteBuilder routes)
    {
        var register = routes.MapGroup("/v1/prompts").WithTags("Prompts").RequireScope(Scopes.Register);
        register.MapPost("/{familyId}/versions", async (string familyId, CreatePromptVersionRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
            {
                var version = await Family(familyId, user, grains).CreateVersionAsync(user.ToCaller(), body);
                return TypedResults.Created($"/v1/prompts/{familyId}/versions/{version.Version}", version);
            })
            .WithName("CreatePromptVersion").WithSummary("Create a draft prompt version (or replace a draft with the same number).");
        register.MapPost("/{familyId}/versions/{version}/approve", (string familyId, string version, PromptStatusRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
                CallVersion(familyId, version, user, grains, (g, c) => g.ApproveAsync(c, body ?? new PromptStatusRequest())))
            .WithName("ApprovePromptVersion").WithSummary("Approve a draft; it becomes immutable.");
        register.MapPost("/{familyId}/versions/{version}/deprecate", (string familyId, string version, PromptStatusRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
                CallVersion(familyId, version, user, grains, (g, c) => g.DeprecateAsync(c, body ?? new PromptStatusRequest())))
            .WithName("DeprecatePromptVersion").WithSummary("Deprecate a version.");
        register.MapPost("/{familyId}/versions/{version}/block", (string familyId, string version, PromptStatusRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
                CallVersion(familyId, version, user, grains, (g, c) => g.BlockAsync(c, body ?? new PromptStatusRequest())))
            .WithName("BlockPromptVersion").WithSummary("Block a version: no asset may be registered with it any more.");

        var read = routes.MapGroup("/v1/prompts").WithTags("Prompts").RequireScope(Scopes.Read);
        read.MapGet("/{familyId}", (string familyId, ClaimsPrincipal user, IGrainFactory grains) => CallFamily(familyId, user, grains, (g, c) => g.GetFamilyAsync(c)))
            .WithName("GetPromptFamily").WithSummary("A prompt family with every version.");
        read.MapGet("/{familyId}/versions/{version}", (string familyId, string version, ClaimsPrincipal user, IGrainFactory grains) =>
                CallVersion(familyId, version, user, grains, (g, c) => g.GetAsync(c)))
            .WithName("GetPromptVersion").WithSummary("One prompt version (texts per the tenant's privacy policy).");
        read.MapGet("/{familyId}/diff", (string familyId, string from, string to, ClaimsPrincipal user, IGrainFactory grains) =>
                CallFamily(familyId, user, grains, (g, c) => g.DiffAsync(c, from, to)))
            .WithName("DiffPromptVersions").WithSummary("Per-field differences between two versions, with line diffs.");
        return routes;
    }

    private static IPromptFamilyGrain Family(string familyId, ClaimsPrincipal user, IGrainFactory grains) =>
        grains.GetGrain<IPromptFamilyGrain>(PromptKeys.For(user.Tenant(), ValidFamilyId(familyId)));

    /// <exception cref="Core.Assets.ValidationFailedException">The version is not MAJOR.MINOR.PATCH (field <c>version</c>).</exception>
    private static IPromptVersionGrain Version(string familyId, string version, ClaimsPrincipal user, IGrainFactory grains) =>
        grains.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion(user.Tenant(), ValidFamilyId(familyId), version));

    private static string ValidFamilyId(string familyId) =>
        familyId.Length is 0 or > 128 || !familyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? throw ApiProblemException.Invalid("familyId", "A family id is 1-128 characters of letters, digits, '-', '_' and '.'.")
            : familyId;

    private static async Task<Ok<T>> CallFamily<T>(string familyId, ClaimsPrincipal user, IGrainFactory grains, Func<IPromptFamilyGrain, CallerContext, Task<T>> call) =>
        TypedResults.Ok(await call(Family(familyId, user, grains), user.ToCaller()));

    private static async Task<Ok<T>> CallVersion<T>(string familyId, string version, ClaimsPrincipal user, IGrainFactory grains, Func<IPromptVersionGrain, CallerContext, Task<T>> call) =>
        TypedResults.Ok(await call(Version(familyId, version, user, grains), user.ToCaller()));
}
