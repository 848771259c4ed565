using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Provenance.Server.Data;
using Provenance.Server.Metrics;

namespace Provenance.Server.Apis;

/// <summary>Liveness, readiness and Prometheus metrics (no key).</summary>
internal static class InfrastructureApi
{
    /// <summary>Readiness answer.</summary>
    public sealed record ReadinessDto(string Status, bool Database, int MigrationsApplied, int MigrationsShipped, string? Detail = null);

    public static IEndpointRouteBuilder MapInfrastructureApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Operations").AllowAnonymous();
        group.MapGet("/healthz", () => TypedResults.Text("ok")).WithName("Liveness")
            .WithSummary("Liveness: the process answers.");
        group.MapGet("/readyz", ReadyAsync).WithName("Readiness")
            .WithSummary("Readiness: the database is reachable and every migration is applied.");
        group.MapMetricsEndpoint().WithName("Metrics")
            .WithSummary("Prometheus text exposition of the server's and Orleans' meters (OpenTelemetry exporter).");
        return routes;
    }

    private static async Task<Results<Ok<ReadinessDto>, JsonHttpResult<ReadinessDto>>> ReadyAsync(Provenance.Storage.Postgres.PostgresStorage storage, IEnumerable<IReadinessCheck> checks, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var connection = await storage.DataSource.OpenConnectionAsync(timeout.Token);
            var applied = await ServerSchema.AppliedCountAsync(connection, timeout.Token);
            string? detail = applied == ServerSchema.ShippedCount ? null : "schema migrations are not all applied";
            foreach (var check in checks)
            {
                detail ??= await check.CheckAsync(connection, timeout.Token);
            }

            var answer = new ReadinessDto(detail is null ? "ready" : "not-ready", true, applied, ServerSchema.ShippedCount, detail);
            return detail is null ? TypedResults.Ok(answer) : TypedResults.Json(answer, statusCode: 503);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return TypedResults.Json(new ReadinessDto("not-ready", false, 0, ServerSchema.ShippedCount, "database unreachable"), statusCode: 503);
        }
    }

}

/// <summary>An extra readiness condition (e.g. the storage provider's migrations); returns a reason when not ready.</summary>
internal interface IReadinessCheck
{
    Task<string?> CheckAsync(NpgsqlConnection connection, CancellationToken cancellationToken);
}
