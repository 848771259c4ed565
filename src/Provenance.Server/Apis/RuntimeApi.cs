using Microsoft.AspNetCore.Http.HttpResults;
using Orleans;
using Orleans.Runtime;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Provenance.Server.Metrics;

namespace Provenance.Server.Apis;

/// <summary>This silo's grain statistics (scope <c>admin</c>), for the dashboard's Runtime page.</summary>
internal static class RuntimeApi
{
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/runtime", GetAsync).WithTags("Runtime").RequireScope(Scopes.Admin)
            .WithName("GetRuntimeStats")
            .WithSummary("Grain activations (from Orleans' management grain), calls, failures, calls in progress and latency percentiles per grain type on this silo.");
        return routes;
    }

    private static async Task<Ok<RuntimeStatsDto>> GetAsync(IGrainFactory grains, ILocalSiloDetails silo, GrainCallStatistics calls, TsaStatistics tsa)
    {
        // The management grain names grain classes; the call filter learned which grain type each class serves.
        var typeOf = calls.GrainTypesByClass();
        var activations = (await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]))
            .Where(s => !s.GrainType.StartsWith("Orleans.", StringComparison.Ordinal))
            .GroupBy(s => typeOf.GetValueOrDefault(s.GrainType) ?? ShortName(s.GrainType), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
        var measured = calls.Snapshot();
        var types = activations.Keys.Union(measured.Keys, StringComparer.Ordinal)
            .Where(t => !t.StartsWith("sys", StringComparison.Ordinal) && t != "management")
            .Select(t =>
            {
                var m = measured.GetValueOrDefault(t);
                return new GrainTypeStatsDto(t, activations.GetValueOrDefault(t), m.Calls, m.Failed, m.InProgress, m.P50, m.P95, m.P99);
            })
            .ToArray();
        var (failures, p50) = tsa.Snapshot();
        return TypedResults.Ok(new RuntimeStatsDto(DateTimeOffset.UtcNow, types, calls.StorageErrors, failures, p50));
    }

    private static string ShortName(string className)
    {
        var name = className.Split(',')[0];
        return name[(name.LastIndexOf('.') + 1)..];
    }
}
