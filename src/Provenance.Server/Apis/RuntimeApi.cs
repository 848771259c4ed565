using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Actors.Diagnostics;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Provenance.Server.Metrics;

namespace Provenance.Server.Apis;

/// <summary>The grain runtime's statistics on this node (scope <c>admin</c>), for the dashboard.</summary>
internal static class RuntimeApi
{
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/runtime", Get).WithTags("Runtime").RequireScope(Scopes.Admin)
            .WithName("GetRuntimeStats")
            .WithSummary("Grain activations, calls, failures, queue lengths and latency percentiles per grain type on this node.");
        return routes;
    }

    private static Ok<RuntimeStatsDto> Get(IRuntimeStatistics runtime, TsaStatistics tsa)
    {
        var snapshot = runtime.GetSnapshot();
        var types = snapshot.GrainTypes.Select(t => new GrainTypeStatsDto(
            t.GrainType, t.ActiveActivations, t.TotalActivations, t.CallsTotal, t.CallsFailed, t.QueueLength,
            t.Latency.P50.TotalMilliseconds, t.Latency.P95.TotalMilliseconds, t.Latency.P99.TotalMilliseconds)).ToArray();
        var (failures, p50) = tsa.Snapshot();
        return TypedResults.Ok(new RuntimeStatsDto(snapshot.Timestamp, types, 0, failures, p50));
    }
}
