using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Index;

/// <summary>
/// The secondary index. Rows are inserted with <c>seq</c> NULL and numbered later, in visibility order, by
/// <see cref="NumberPendingAsync"/> (the log sequencer grain's passes): a bigserial would commit out of order, and a
/// cursor past a late-committing row would miss that row for good. Reads never number anything: one statement (one
/// snapshot) returns the numbered rows after the cursor and then the key's committed rows not numbered yet.
/// </summary>
/// <remarks>
/// Every statement here has one plan whatever the table's statistics say (migration 022): lookups are index range
/// scans on partial indexes whose predicates the queries repeat, and numbering updates rows by <c>ctid</c> (a TID scan,
/// the cheapest path under any estimate).
/// </remarks>
internal sealed class PostgresGrainIndex(NpgsqlDataSource dataSource) : IGrainIndex, IIndexSequencer
{
    // Numbered rows through grain_index_lookup_numbered (index_name, key, seq) WHERE seq IS NOT NULL ("seq > $3"
    // implies it); pending ones through grain_index_pending_lookup (index_name, key, id) WHERE seq IS NULL. One
    // statement, so a row numbered meanwhile is seen exactly once.
    internal static readonly string QuerySql = $"""
        (SELECT seq, id, value, data FROM {SchemaNames.GrainIndex}
         WHERE index_name = $1 AND key = $2 AND seq > $3 AND id > $4 ORDER BY seq LIMIT $5)
        UNION ALL
        (SELECT NULL, id, value, data FROM {SchemaNames.GrainIndex}
         WHERE index_name = $1 AND key = $2 AND seq IS NULL AND id > $4 ORDER BY id LIMIT $5)
        """;

    // The batch is read in the pending index's order (per key by id), then each row is updated by ctid. Rows are only
    // ever inserted and numbered, and numbering holds the lock, so a row's ctid cannot change between the two.
    internal static readonly string NumberSql = $"""
        UPDATE {SchemaNames.GrainIndex} g SET seq = h.base + p.rn
        FROM (SELECT t, row_number() OVER () AS rn
              FROM (SELECT ctid AS t FROM {SchemaNames.GrainIndex} WHERE seq IS NULL ORDER BY index_name, key, id LIMIT $1) q) p,
             (SELECT coalesce(max(seq), 0) AS base FROM {SchemaNames.GrainIndex} WHERE seq IS NOT NULL) h
        WHERE g.ctid = p.t AND g.seq IS NULL
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IndexRecord>> QueryAsync(string index, string key, IndexCursor after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var command = dataSource.CreateCommand(QuerySql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = index });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Seq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.PendingId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var numbered = new List<IndexRecord>();
        var pending = new List<IndexRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var seq = reader.IsDBNull(0) ? (long?)null : reader.GetInt64(0);
                var row = new IndexRecord(seq, reader.GetInt64(1), index, key, reader.GetString(2),
                    reader.IsDBNull(3) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(3));
                (seq is null ? pending : numbered).Add(row);
            }
        }

        // Rows not numbered yet sort after every numbered one, so they only follow a page the numbered rows do not fill.
        numbered.AddRange(pending.Take(limit - numbered.Count));
        return numbered;
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(string index, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {SchemaNames.GrainIndex} WHERE index_name = $1 AND key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = index });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Under the index sequencer's transaction lock, tried rather than awaited: a pass already running elsewhere (a
    /// sequencer grain moving between silos) makes this one return 0.
    /// </remarks>
    public async Task<int> NumberPendingAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var locked = new NpgsqlCommand(
            $"SELECT pg_try_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.IndexSequencer})", connection, transaction))
        {
            if (await locked.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        int numbered;
        await using (var command = new NpgsqlCommand(NumberSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
            numbered = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return numbered;
    }
}
