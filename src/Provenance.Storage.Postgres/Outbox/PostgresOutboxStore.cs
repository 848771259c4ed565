using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Notifications;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Outbox;

/// <summary>
/// The durable outbox. Writers insert events with <c>position</c> NULL (ids from a sequence commit out of order, so they
/// are no safe cursor); readers number the visible unnumbered events, in id order, under a transaction-scoped advisory
/// lock before reading. One numbering transaction at a time, each committed before the next starts, means a reader that
/// sees position p already sees every position below p: no gap a cursor could skip.
/// </summary>
internal sealed class PostgresOutboxStore(NpgsqlDataSource dataSource, PostgresNotificationListener notifications) : IOutboxStore
{
    /// <summary>Most events numbered by one pass.</summary>
    internal const int SequenceBatch = 10_000;

    // No primary key since migration 012: pending rows are read in id order through outbox_pending (id) WHERE position
    // IS NULL and updated by ctid (a TID scan), the base read through the partial unique index on numbered positions.
    // Every step has that one plan whatever the statistics say; the earlier join on id could turn into a nested loop
    // re-running the batch per row when statistics still said nothing was pending. Rows are only inserted and
    // numbered, and numbering holds the lock, so a pending row's ctid cannot change between the read and the update.
    internal static readonly string SequenceSql = $"""
        UPDATE {SchemaNames.Outbox} o SET position = h.base + p.rn
        FROM (SELECT t, row_number() OVER () AS rn
              FROM (SELECT ctid AS t FROM {SchemaNames.Outbox} WHERE position IS NULL ORDER BY id LIMIT {SequenceBatch}) pending) p,
             (SELECT coalesce(max(position), 0) AS base FROM {SchemaNames.Outbox} WHERE position IS NOT NULL) h
        WHERE o.ctid = p.t AND o.position IS NULL
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OutboxRecord>> ReadAsync(string stream, long afterPosition, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        // Number until nothing visible is left, waiting out a pass that another node (a stream receiver) is running:
        // a pass given up for the lock would leave that pass's rows invisible to this read. (The receivers read their
        // queues directly; this reader serves tests and tools, which may wait.)
        while (await SequencePendingAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        await using var command = dataSource.CreateCommand(
            $"""
            SELECT position, stream, event_type, tenant, payload, created_at FROM {SchemaNames.Outbox}
            WHERE stream = $1 AND position > $2 ORDER BY position LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        var records = new List<OutboxRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new OutboxRecord(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return records;
    }

    /// <inheritdoc/>
    public async Task<long> GetCheckpointAsync(string consumer, string stream, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT position FROM {SchemaNames.OutboxCheckpoints} WHERE consumer = $1 AND stream = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <inheritdoc/>
    public async Task SaveCheckpointAsync(string consumer, string stream, long position, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {SchemaNames.OutboxCheckpoints} (consumer, stream, position) VALUES ($1, $2, $3)
            ON CONFLICT (consumer, stream) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WaitForEventsAsync(string stream, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var signal = notifications.NextEventSignal(stream);
        try
        {
            await signal.WaitAsync(maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The fallback when a notification was missed: the caller polls again.
        }
    }

    /// <summary>Numbers unnumbered visible events unless another node is doing it right now.</summary>
    /// <returns>True when unnumbered events may remain (another node held the lock, or a full pass was numbered), so a
    /// reader should look again soon rather than wait for the next notification.</returns>
    internal async Task<bool> SequencePendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var pending = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {SchemaNames.Outbox} WHERE position IS NULL)", connection))
        {
            // The common case for a caught-up reader: one index probe, no transaction.
            if (await pending.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return false;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tryLock = new NpgsqlCommand(
            $"SELECT pg_try_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.OutboxSequencer})", connection, transaction))
        {
            if (await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return true;
            }
        }

        // A separate statement: its snapshot is taken after the lock, so it sees the previous numbering pass's commit.
        int numbered;
        await using (var sequence = new NpgsqlCommand(SequenceSql, connection, transaction))
        {
            numbered = await sequence.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return numbered >= SequenceBatch;
    }
}
