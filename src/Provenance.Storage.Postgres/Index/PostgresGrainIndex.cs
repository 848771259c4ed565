using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Index;

/// <summary>
/// The secondary index. Rows are inserted with <c>seq</c> NULL and numbered in visibility order by the reader, exactly
/// like outbox positions (see <see cref="Outbox.PostgresOutboxStore"/>): a bigserial would commit out of order, and a
/// cursor past a late-committing row would miss that child for good. Rows inserted but not yet numbered are counted by
/// <see cref="CountAsync"/> and become visible to <see cref="QueryAsync"/> on its next call.
/// </summary>
internal sealed class PostgresGrainIndex(NpgsqlDataSource dataSource) : IGrainIndex
{
    // Pending rows are found and updated through the partial index grain_index_pending (id) WHERE seq IS NULL, and the
    // base through the partial unique index on numbered seqs (migration 012): hence "g.seq IS NULL" in the join and
    // "seq IS NOT NULL" in the max, which let the planner match those partial indexes.
    private static readonly string SequenceSql = $"""
        UPDATE {SchemaNames.GrainIndex} g SET seq = h.base + p.rn
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn
              FROM (SELECT id FROM {SchemaNames.GrainIndex} WHERE seq IS NULL ORDER BY id LIMIT 10000) pending) p,
             (SELECT coalesce(max(seq), 0) AS base FROM {SchemaNames.GrainIndex} WHERE seq IS NOT NULL) h
        WHERE g.id = p.id AND g.seq IS NULL
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IndexRecord>> QueryAsync(string index, string key, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await SequencePendingAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT seq, value, data FROM {SchemaNames.GrainIndex}
            WHERE index_name = $1 AND key = $2 AND seq > $3 ORDER BY seq LIMIT $4
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = index });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var rows = new List<IndexRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new IndexRecord(reader.GetInt64(0), index, key, reader.GetString(1),
                reader.IsDBNull(2) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(2)));
        }

        return rows;
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(string index, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {SchemaNames.GrainIndex} WHERE index_name = $1 AND key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = index });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Numbers pending rows under the index sequencer lock. Waits for a pass in progress elsewhere (it is short), so
    /// that a row committed before this query started is always numbered by the time it reads.
    /// </summary>
    private static async Task SequencePendingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var pending = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {SchemaNames.GrainIndex} WHERE seq IS NULL)", connection, transaction))
        {
            if (await pending.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return;
            }
        }

        await using (var command = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.IndexSequencer})", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(SequenceSql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
