using Npgsql;
using Orleans;
using Provenance.Server.Audit;

namespace Provenance.Server.Tests.Audit;

/// <summary>Starting audit runs through the grain and waiting for their <c>audit_runs</c> rows.</summary>
internal static class AuditRuns
{
    /// <summary>Starts a run (none may be in progress) and waits until it has finished; returns its id.</summary>
    public static async Task<string> RunToEndAsync(IGrainFactory grains, NpgsqlDataSource database)
    {
        var ticket = await grains.GetAuditGrain().RunAsync();
        Assert.True(ticket.Started, $"run {ticket.RunId} was already in progress");
        await WaitFinishedAsync(database, ticket.RunId);
        return ticket.RunId;
    }

    /// <summary>Waits until run <paramref name="runId"/> has recorded its end; fails after <paramref name="timeout"/> (default 60 s).</summary>
    public static async Task WaitFinishedAsync(NpgsqlDataSource database, string runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            await using var cmd = database.CreateCommand("SELECT finished_at IS NOT NULL FROM audit_runs WHERE id = @id");
            cmd.Parameters.AddWithValue("id", runId);
            if (await cmd.ExecuteScalarAsync() is true)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"audit run {runId} did not finish in time");
            await Task.Delay(50);
        }
    }

    /// <summary>Every recorded run, oldest first.</summary>
    public static async Task<IReadOnlyList<RunRow>> ListAsync(NpgsqlDataSource database)
    {
        await using var cmd = database.CreateCommand("SELECT id, started_at, finished_at FROM audit_runs ORDER BY started_at, id");
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<RunRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new RunRow(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return rows;
    }

    /// <summary>A row of <c>audit_runs</c>.</summary>
    public sealed record RunRow(string Id, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);
}
