using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans;
using Provenance.Core.Contracts;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Server.Auth;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>Epochs, the anchor and RFC 9162 proofs. Epochs are deployment-wide (one log), so any tenant may read them;
/// an inclusion proof is only served for an asset the caller may see.</summary>
internal static class EpochsApi
{
    public static IEndpointRouteBuilder MapEpochsApi(this IEndpointRouteBuilder routes)
    {
        var read = routes.MapGroup("/v1").WithTags("Epochs").RequireScope(Scopes.Read);
        read.MapGet("/epochs", async (int? limit, long? before, IGrainFactory grains) =>
            {
                var take = limit ?? 20;
                if (take is < 1 or > 1000)
                {
                    throw ApiProblemException.Invalid("limit", "limit is 1-1000.");
                }

                return TypedResults.Ok((await Anchor(grains).ListEpochsAsync(take, before)).ToArray());
            })
            .WithName("ListEpochs").WithSummary("Sealed epochs, newest first.");
        read.MapGet("/epochs/{n:long}", async (long n, IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<IEpochGrain>(Positive(n, "n")).GetAsync()))
            .WithName("GetEpoch").WithSummary("One epoch: signed checkpoint and TSA timestamps.");
        read.MapGet("/anchor/status", async (IGrainFactory grains) => TypedResults.Ok(await Anchor(grains).StatusAsync()))
            .WithName("GetAnchorStatus").WithSummary("Log size, entries not yet in an epoch, the latest epoch and the schedule.");
        read.MapGet("/proofs/inclusion", InclusionAsync)
            .WithName("GetInclusionProof").WithSummary("RFC 9162 inclusion proof of an asset's current manifest into an epoch (default: the latest).");
        read.MapGet("/proofs/consistency", async (long from, long to, ILogProofs proofs, CancellationToken cancellationToken) =>
                TypedResults.Ok(await proofs.GetConsistencyProofAsync(Positive(from, "from"), Positive(to, "to"), cancellationToken)))
            .WithName("GetConsistencyProof").WithSummary("RFC 9162 consistency proof between two epochs.");

        routes.MapPost("/v1/epochs/trigger", async (IGrainFactory grains) => TypedResults.Ok(await Anchor(grains).TriggerAsync()))
            .WithTags("Epochs").RequireScope(Scopes.Anchor)
            .WithName("TriggerEpoch").WithSummary("Seal an epoch now; concurrent triggers share one epoch.");
        return routes;
    }

    private static IAnchorGrain Anchor(IGrainFactory grains) => grains.GetGrain<IAnchorGrain>(LogGrainKeys.Anchor);

    private static long Positive(long value, string field) =>
        value >= 1 ? value : throw ApiProblemException.Invalid(field, $"{field} is an epoch number (1 or more).");

    private static async Task<Ok<InclusionProofDto>> InclusionAsync(string assetId, long? epoch, ClaimsPrincipal user, IGrainFactory grains, ILogProofs proofs, CancellationToken cancellationToken)
    {
        var grain = AssetsApi.Grain(assetId, grains, "assetId");
        await grain.GetAsync(user.ToCaller()); // not-found unless the caller's tenant owns it
        var summary = await grain.GetSummaryAsync() ?? throw ApiProblemException.NotFound("The asset", "assetId");
        return TypedResults.Ok(await proofs.GetInclusionProofAsync(assetId, summary.Revision, epoch is null ? null : Positive(epoch.Value, "epoch"), cancellationToken));
    }
}
