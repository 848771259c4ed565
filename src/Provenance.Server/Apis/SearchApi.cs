using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Grains.Search;
using Provenance.Server.Auth;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>GET /v1/search: by exact content hash (any tenant's asset, others redacted) or by a word of the caller's tenant's assets.</summary>
internal static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/search", SearchAsync).WithTags("Search").RequireScope(Scopes.Read)
            .WithName("Search")
            .WithSummary("Find assets by content hash (hash=), or by a word in title, tags, model, creator (q=, model=, tag=).");
        return routes;
    }

    private static async Task<Ok<SearchResultDto>> SearchAsync(string? q, string? hash, string? model, string? tag, int? limit, string? cursor,
        ClaimsPrincipal user, IAssetDirectory directory, CancellationToken cancellationToken)
    {
        var take = limit ?? 50;
        if (take is < 1 or > 1000)
        {
            throw ApiProblemException.Invalid("limit", "limit is 1-1000.");
        }

        var given = new[] { ("q", q), ("hash", hash), ("model", model), ("tag", tag) }.Where(p => !string.IsNullOrWhiteSpace(p.Item2)).ToList();
        if (given.Count != 1)
        {
            throw ApiProblemException.Invalid(given.Count == 0 ? "q" : given[1].Item1, "Give exactly one of q, hash, model or tag.");
        }

        var caller = user.ToCaller();
        var (field, value) = given[0];
        // A model name may be several index words ("imagegen-xl"): look it up by its first word and keep
        // only exact model matches below, rather than refusing a name the API accepts at registration.
        var lookup = field == "model" ? SearchTokens.Tokenize([value]).FirstOrDefault() ?? value! : value!;
        var page = field == "hash"
            ? await directory.FindByContentHashAsync(caller, lookup, take, cursor, cancellationToken)
            : await directory.FindByTokenAsync(caller, lookup, take, cursor, cancellationToken);
        var nodes = await directory.DescribeAsync(caller, page.AssetIds, cancellationToken);
        if (field == "model")
        {
            nodes = nodes.Where(n => string.Equals(n.Model, value, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        return TypedResults.Ok(new SearchResultDto(nodes, page.NextCursor));
    }
}
