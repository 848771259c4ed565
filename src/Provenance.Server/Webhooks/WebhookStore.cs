using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;

namespace Provenance.Server.Webhooks;

/// <summary>A delivery claimed by a worker: everything needed to POST it.</summary>
internal sealed record ClaimedDelivery(string WebhookId, long Sequence, string Url, string Secret, string Body, int Attempts);

/// <summary>
/// Webhook subscriptions and their durable deliveries (tables <c>webhook_subscriptions</c>, <c>webhook_deliveries</c>).
/// Fan-out assigns each subscription's next sequence number and writes the pending delivery in the same
/// transaction, so a sequence is never lost or reused; a restart resumes from the table.
/// </summary>
internal sealed class WebhookStore(Provenance.Storage.Postgres.PostgresStorage storage, TimeProvider time)
{
    private const long FanOutLockKey = 0x5052_4F56_5748_4B31; // "PROVWHK1"

    /// <summary>How long a claimed delivery stays invisible to other workers; a worker that dies mid-POST is retried after it.</summary>
    internal static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(60);

    public async Task<WebhookDto> CreateAsync(string tenant, Uri url, IReadOnlyList<string> events, CancellationToken cancellationToken)
    {
        var id = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = "whsec_" + ApiKeySecret.Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = Truncate(time.GetUtcNow());
        await using var cmd = storage.DataSource.CreateCommand("INSERT INTO webhook_subscriptions (id, tenant, url, events, secret, created_at) VALUES (@id, @t, @u, @e, @s, @now)");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("u", url.AbsoluteUri);
        cmd.Parameters.AddWithValue("e", events.ToArray());
        cmd.Parameters.AddWithValue("s", secret);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new WebhookDto(id, url.AbsoluteUri, events, now, secret);
    }

    public async Task<IReadOnlyList<WebhookDto>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("SELECT id, url, events, created_at FROM webhook_subscriptions WHERE tenant = @t AND deleted_at IS NULL ORDER BY created_at, id");
        cmd.Parameters.AddWithValue("t", tenant);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<WebhookDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new WebhookDto(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return list;
    }

    /// <summary>Deletes a subscription of the tenant and drops its undelivered deliveries; false when there is none.</summary>
    public async Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("""
            WITH d AS (UPDATE webhook_subscriptions SET deleted_at = @now WHERE id = @id AND tenant = @t AND deleted_at IS NULL RETURNING id),
                 c AS (UPDATE webhook_deliveries SET state = 'cancelled' WHERE webhook_id IN (SELECT id FROM d) AND state = 'pending')
            SELECT count(*) FROM d
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))! == 1;
    }

    /// <summary>
    /// Queues <paramref name="event"/> for every live subscription that wants it (same tenant, or any tenant for a
    /// deployment-wide event). Idempotent per (subscription, event id): fanning out the same event twice queues it once.
    /// </summary>
    /// <returns>How many deliveries were queued.</returns>
    public async Task<int> FanOutAsync(WebhookEvent @event, CancellationToken cancellationToken)
    {
        // Every asset and epoch event comes here; most tenants have no subscription for most types, and those events
        // should not queue on the fan-out lock.
        await using (var probe = storage.DataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM webhook_subscriptions s
                           WHERE s.deleted_at IS NULL AND @type = ANY (s.events) AND (@tenant::text IS NULL OR s.tenant = @tenant))
            """))
        {
            probe.Parameters.AddWithValue("type", @event.Type);
            probe.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)@event.Tenant ?? DBNull.Value });
            if (!(bool)(await probe.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        await using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({FanOutLockKey})", connection, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        var targets = new List<string>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT s.id FROM webhook_subscriptions s
            WHERE s.deleted_at IS NULL AND @type = ANY (s.events) AND (@tenant::text IS NULL OR s.tenant = @tenant)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = s.id AND d.event_id = @eid)
            ORDER BY s.id FOR UPDATE OF s
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("type", @event.Type);
            cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)@event.Tenant ?? DBNull.Value });
            cmd.Parameters.AddWithValue("eid", @event.Id);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                targets.Add(reader.GetString(0));
            }
        }

        var now = time.GetUtcNow();
        foreach (var id in targets)
        {
            long sequence;
            await using (var cmd = new NpgsqlCommand("UPDATE webhook_subscriptions SET next_sequence = next_sequence + 1 WHERE id = @id RETURNING next_sequence - 1", connection, tx))
            {
                cmd.Parameters.AddWithValue("id", id);
                sequence = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            }

            var body = JsonSerializer.Serialize(new WebhookBody(@event.Id, sequence, @event.Type, @event.Tenant, @event.CreatedAt, @event.Data), ApiJson.Options);
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO webhook_deliveries (webhook_id, sequence, event_id, event_type, body, state, next_attempt_at, created_at)
                VALUES (@id, @seq, @eid, @type, @body, 'pending', @now, @now)
                """, connection, tx))
            {
                cmd.Parameters.AddWithValue("id", id);
                cmd.Parameters.AddWithValue("seq", sequence);
                cmd.Parameters.AddWithValue("eid", @event.Id);
                cmd.Parameters.AddWithValue("type", @event.Type);
                cmd.Parameters.AddWithValue("body", body);
                cmd.Parameters.AddWithValue("now", now);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await tx.CommitAsync(cancellationToken);
        return targets.Count;
    }

    /// <summary>Claims up to <paramref name="max"/> due deliveries (oldest first) by pushing their next attempt past the lease.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var cmd = storage.DataSource.CreateCommand("""
            WITH due AS (
                SELECT webhook_id, sequence FROM webhook_deliveries
                WHERE state = 'pending' AND next_attempt_at <= @now
                ORDER BY next_attempt_at, webhook_id, sequence LIMIT @max FOR UPDATE SKIP LOCKED)
            UPDATE webhook_deliveries d SET next_attempt_at = @lease
            FROM due, webhook_subscriptions s
            WHERE d.webhook_id = due.webhook_id AND d.sequence = due.sequence AND s.id = d.webhook_id
            RETURNING d.webhook_id, d.sequence, s.url, s.secret, d.body, d.attempts
            """);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("lease", now + ClaimLease);
        cmd.Parameters.AddWithValue("max", max);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ClaimedDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ClaimedDelivery(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }

        return list.OrderBy(d => d.WebhookId, StringComparer.Ordinal).ThenBy(d => d.Sequence).ToList();
    }

    /// <summary>Records a successful delivery.</summary>
    public async Task MarkDeliveredAsync(ClaimedDelivery delivery, int status, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = @st, last_error = NULL, delivered_at = @now WHERE webhook_id = @id AND sequence = @seq");
        cmd.Parameters.AddWithValue("id", delivery.WebhookId);
        cmd.Parameters.AddWithValue("seq", delivery.Sequence);
        cmd.Parameters.AddWithValue("st", status);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a failed attempt and schedules the next one (or gives up: state <c>dead</c>).</summary>
    public async Task MarkFailedAsync(ClaimedDelivery delivery, int? status, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("""
            UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = @st, last_error = @err,
                state = CASE WHEN @next::timestamptz IS NULL THEN 'dead' ELSE state END,
                next_attempt_at = coalesce(@next::timestamptz, next_attempt_at)
            WHERE webhook_id = @id AND sequence = @seq AND state = 'pending'
            """);
        cmd.Parameters.AddWithValue("id", delivery.WebhookId);
        cmd.Parameters.AddWithValue("seq", delivery.Sequence);
        cmd.Parameters.Add(new NpgsqlParameter("st", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)status ?? DBNull.Value });
        cmd.Parameters.AddWithValue("err", error.Length > 500 ? error[..500] : error);
        cmd.Parameters.Add(new NpgsqlParameter("next", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)nextAttemptAt ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deliveries by state, for /metrics.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("SELECT state, count(*) FROM webhook_deliveries GROUP BY state");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));
}
