using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Core.Contracts;
using Provenance.Server.Audit;
using Provenance.Server.Auth;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>The audit job (scope <c>admin</c>), a thin translation onto <see cref="IAuditGrain"/>.</summary>
internal static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/audit").WithTags("Audit").RequireScope(Scopes.Admin);
        group.MapGet("/findings", ListAsync).WithName("ListAuditFindings")
            .WithSummary("Audit findings, newest first: the tenant's own, plus deployment-wide ones (log, checkpoints) for the operator tenant.");
        group.MapPost("/run", RunAsync).WithName("RunAudit")
            .WithSummary("Starts an audit run now (in the background), or joins the run in progress; the run id is in the Provenance-Audit-Run header, findings appear under /v1/audit/findings.");
        return routes;
    }

    private static async Task<Ok<AuditFindingDto[]>> ListAsync(ClaimsPrincipal user, AuditStore store, int? limit, long? before, CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > 1000)
        {
            throw ApiProblemException.Invalid("limit", "limit is 1-1000.");
        }

        return TypedResults.Ok((await store.ListAsync(user.Tenant(), user.IsOperator(), take, before, cancellationToken)).ToArray());
    }

    /// <summary>Response header naming the run a <c>POST /v1/audit/run</c> started or joined.</summary>
    internal const string RunHeader = "Provenance-Audit-Run";

    private static async Task<Accepted> RunAsync(IGrainFactory grains, HttpResponse response)
    {
        var ticket = await grains.GetAuditGrain().RunAsync();
        response.Headers[RunHeader] = ticket.RunId;
        return TypedResults.Accepted("/v1/audit/findings");
    }
}
