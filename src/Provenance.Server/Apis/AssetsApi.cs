using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.Grains.Search;
using Provenance.Server.Auth;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>Assets: registration, reads, lifecycle and lineage. Each handler is a thin translation onto one asset-grain call;
/// the caller's tenant, actor and scopes go into the call and the grain enforces tenant rules.</summary>
internal static class AssetsApi
{
    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder routes)
    {
        var register = routes.MapGroup("/v1/assets").WithTags("Assets").RequireScope(Scopes.Register);
        register.MapPost("/", RegisterAsync).WithName("RegisterAsset")
            .WithSummary("Register an asset by content hash; its manifest is signed and logged before the answer. A retry with the same id and claims gets the same answer.");
        register.MapPost("/upload", AssetUpload.RegisterAsync).WithName("UploadAsset")
            .WithSummary("Register an asset from its bytes: multipart part 'claims' (JSON without contentHash), then part 'file' (streamed, hashed, not kept).")
            .WithMetadata(new UploadLimit()).DisableAntiforgery(); // no Accepts(): routing would answer 415 before authentication
        register.MapPost("/{id}/parents", (string id, AddParentRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.AddParentAsync(c, body)))
            .WithName("AddParent").WithSummary("Link one more parent (refused if it would form a cycle).");
        register.MapPost("/{id}/status", (string id, TransitionRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.TransitionAsync(c, body)))
            .WithName("TransitionAsset").WithSummary("Move the lifecycle; rejected, revoked and failed need a reason.");
        register.MapPost("/{id}/moderation", (string id, ModerationRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.ModerateAsync(c, body)))
            .WithName("ModerateAsset").WithSummary("Record a moderation result.");
        register.MapPost("/{id}/approvals", (string id, ApprovalRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.ApproveAsync(c, body)))
            .WithName("ApproveAsset").WithSummary("Record an approval, optionally lifting inherited restrictions.");
        register.MapPost("/{id}/restrictions", (string id, RestrictionRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.RestrictAsync(c, body)))
            .WithName("RestrictAsset").WithSummary("Place a restriction; it propagates to descendants.");

        var read = routes.MapGroup("/v1/assets").WithTags("Assets").RequireScope(Scopes.Read);
        read.MapGet("/{id}", GetAsync)
            .WithName("GetAsset").WithSummary("The asset with its inherited restrictions and its number of children.");
        read.MapGet("/{id}/manifest", (string id, ClaimsPrincipal user, IGrainFactory grains) => Call(id, user, grains, (g, c) => g.GetManifestAsync(c)))
            .WithName("GetManifest").WithSummary("The current signed manifest: JSON, exact canonical bytes, hash and JWS.");
        read.MapGet("/{id}/audit", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                TypedResults.Ok((await Grain(id, grains).GetAuditTrailAsync(user.ToCaller())).ToArray()))
            .WithName("GetAssetAudit").WithSummary("The asset's audit trail, oldest first.");
        read.MapGet("/{id}/ancestors", (string id, int? depth, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.GetAncestorsAsync(c, Query(depth, limit, cursor))))
            .WithName("GetAncestors").WithSummary("Ancestors breadth-first, depth-limited and paged; other tenants' nodes redacted.");
        read.MapGet("/{id}/descendants", (string id, int? depth, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains) =>
                Call(id, user, grains, (g, c) => g.GetDescendantsAsync(c, Query(depth, limit, cursor))))
            .WithName("GetDescendants").WithSummary("Descendants breadth-first, depth-limited and paged; other tenants' nodes redacted.");
        read.MapGet("/{id}/roots", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                TypedResults.Ok((await Grain(id, grains).GetRootsAsync(user.ToCaller())).ToArray()))
            .WithName("GetRoots").WithSummary("The root sources of the asset's lineage.");

        routes.MapGet("/v1/lineage/path", (string from, string to, ClaimsPrincipal user, IGrainFactory grains) =>
            {
                AssetIds.EnsureValid(to, "to");
                return Call(from, user, grains, (g, c) => g.GetPathToAsync(c, to), "from");
            })
            .WithTags("Lineage").RequireScope(Scopes.Read)
            .WithName("GetLineagePath").WithSummary("A shortest parent chain from an asset up to one of its ancestors.");
        return routes;
    }

    private static async Task<Created<AssetDto>> RegisterAsync(RegisterAssetRequest request, ClaimsPrincipal user, IGrainFactory grains, IAssetIdGenerator ids, ServerMetrics metrics)
    {
        var asset = await grains.RegisterAsync(ids, user.ToCaller(), request);
        metrics.Registrations.Add(1);
        return TypedResults.Created($"/v1/assets/{asset.AssetId}", asset);
    }

    private static async Task<Ok<AssetDto>> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains, IAssetDirectory directory, CancellationToken cancellationToken)
    {
        var caller = user.ToCaller();
        var asset = await Grain(id, grains).GetAsync(caller);
        var node = (await directory.DescribeAsync(caller, [asset.AssetId], cancellationToken)).FirstOrDefault();
        return TypedResults.Ok(asset with { ChildCount = node?.ChildCount });
    }

    internal static IAssetGrain Grain(string id, IGrainFactory grains, string field = "id")
    {
        AssetIds.EnsureValid(id, field);
        return grains.GetGrain<IAssetGrain>(id);
    }

    private static async Task<Ok<T>> Call<T>(string id, ClaimsPrincipal user, IGrainFactory grains, Func<IAssetGrain, CallerContext, Task<T>> call, string field = "id") =>
        TypedResults.Ok(await call(Grain(id, grains, field), user.ToCaller()));

    private static LineageQuery Query(int? depth, int? limit, string? cursor)
    {
        var d = depth ?? 10;
        var l = limit ?? 100;
        if (d is < 1 or > LineageQuery.MaxDepth)
        {
            throw ApiProblemException.Invalid("depth", $"depth is 1-{LineageQuery.MaxDepth}.");
        }

        if (l is < 1 or > LineageQuery.MaxLimit)
        {
            throw ApiProblemException.Invalid("limit", $"limit is 1-{LineageQuery.MaxLimit}.");
        }

        return new LineageQuery(d, l, string.IsNullOrEmpty(cursor) ? null : cursor);
    }

    /// <summary>The grain-call identity of the authenticated key.</summary>
    internal static CallerContext ToCaller(this ClaimsPrincipal user) =>
        new(user.Tenant(), user.Actor(), user.FindAll(CallerClaims.Scope).Select(c => c.Value));
}
