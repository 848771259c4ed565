using Npgsql;
using Provenance.Actors.Storage;
using Provenance.Core.Merkle;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Log;

/// <summary>
/// The Merkle log: pending entries in <c>log_entries</c> (idx NULL; once sequenced, idx and the leaf hash, which serves
/// level-0 node ids), stored perfect-subtree nodes above the leaves in <c>tree_nodes</c>,
/// the head (size, root, compact range) in <c>log_head</c>. Sequencing is one transaction under a transaction-scoped
/// advisory lock, so a crash anywhere rolls everything back: no gap, no duplicate index, no lost entry.
/// Hashing and the compact range are Core's <see cref="MerkleAppender"/> (RFC 9162 §2.1.1).
/// </summary>
internal sealed class PostgresLogStore(NpgsqlDataSource dataSource) : ILogStore
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    /// <inheritdoc/>
    public async Task<LogHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT size, root, (SELECT count(*) FROM {SchemaNames.LogEntries} WHERE idx IS NULL) FROM {SchemaNames.LogHead} WHERE id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new LogHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetInt64(2));
    }

    /// <inheritdoc/>
    public async Task<SequenceResult?> SequenceAsync(int maxBatch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tryLock = new NpgsqlCommand(
            $"SELECT pg_try_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.LogSequencer})", connection, transaction))
        {
            if (await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return null;
            }
        }

        MerkleAppender range;
        await using (var head = new NpgsqlCommand($"SELECT size, compact_range FROM {SchemaNames.LogHead} WHERE id = 1 FOR UPDATE", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            range = MerkleAppender.Restore(Hasher, reader.GetInt64(0), reader.GetFieldValue<byte[][]>(1));
        }

        // No FOR UPDATE: the advisory lock already excludes every other sequencer, nothing else updates a pending row,
        // and locking each row first cost a WAL record per row before the UPDATE below rewrote it anyway.
        var ids = new List<long>();
        var inputs = new List<byte[]>();
        await using (var pending = new NpgsqlCommand(
            $"SELECT id, leaf_input FROM {SchemaNames.LogEntries} WHERE idx IS NULL ORDER BY id LIMIT $1", connection, transaction))
        {
            pending.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxBatch });
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
                inputs.Add(reader.GetFieldValue<byte[]>(1));
            }
        }

        var first = range.Size;
        if (ids.Count > 0)
        {
            var completed = Extend(range, inputs);
            var positions = new long[ids.Count];
            for (var i = 0; i < positions.Length; i++)
            {
                positions[i] = first + i;
            }

            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    Command($"UPDATE {SchemaNames.LogEntries} e SET idx = u.idx, leaf_hash = u.leaf_hash, sequenced_at = now() FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS u(id, idx, leaf_hash) WHERE e.id = u.id",
                        new NpgsqlParameter<long[]> { TypedValue = [.. ids] }, new NpgsqlParameter<long[]> { TypedValue = positions },
                        new NpgsqlParameter<byte[][]> { TypedValue = completed.LeafHashes }),
                    Command($"INSERT INTO {SchemaNames.TreeNodes} (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
                        new NpgsqlParameter<short[]> { TypedValue = [.. completed.Levels] }, new NpgsqlParameter<long[]> { TypedValue = [.. completed.Indexes] },
                        new NpgsqlParameter<byte[][]> { TypedValue = [.. completed.Hashes] }),
                    Command($"UPDATE {SchemaNames.LogHead} SET size = $1, root = $2, compact_range = $3, updated_at = now() WHERE id = 1",
                        new NpgsqlParameter<long> { TypedValue = range.Size }, new NpgsqlParameter<byte[]> { TypedValue = range.Root() },
                        new NpgsqlParameter<byte[][]> { TypedValue = range.ExportState().Hashes }),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long stillPending;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {SchemaNames.LogEntries} WHERE idx IS NULL", connection, transaction))
        {
            stillPending = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SequenceResult(first, ids.Count, new LogHead(range.Size, range.Root(), stillPending));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<TreeNodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<TreeNodeId> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<TreeNodeId, byte[]>(ids.Count);
        if (ids.Count == 0)
        {
            return result;
        }

        // Level 0 is the entry's leaf_hash; tree_nodes holds levels >= 1 (and level-0 rows written before migration 010).
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT n.level, n.idx, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS q(level, idx)
            JOIN {SchemaNames.TreeNodes} n ON n.level = q.level AND n.idx = q.idx
            UNION ALL
            SELECT 0::smallint, e.idx, e.leaf_hash FROM {SchemaNames.LogEntries} e WHERE e.idx = ANY($3) AND e.leaf_hash IS NOT NULL
            """);
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = ids.Select(i => checked((short)i.Level)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids.Select(i => i.Index).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids.Where(i => i.Level == 0).Select(i => i.Index).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[new TreeNodeId(reader.GetInt16(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
        }

        return result;
    }

    /// <inheritdoc/>
    public async Task<LogEntry?> FindBySourceAsync(string sourceKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT source_key, leaf_input, idx, accepted_at, sequenced_at FROM {SchemaNames.LogEntries} WHERE source_key = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sourceKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new LogEntry(reader.GetString(0), reader.GetFieldValue<byte[]>(1),
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
    }

    /// <inheritdoc/>
    /// <remarks>Requires 0 &lt;= begin &lt;= end.</remarks>
    public async Task<IReadOnlyList<byte[]>> ReadLeafInputsAsync(long begin, long end, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, begin);
        await using var command = dataSource.CreateCommand(
            $"SELECT leaf_input FROM {SchemaNames.LogEntries} WHERE idx >= $1 AND idx < $2 ORDER BY idx");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = begin });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = end });
        var inputs = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            inputs.Add(reader.GetFieldValue<byte[]>(0));
        }

        return inputs;
    }

    /// <summary>
    /// Hashes the leaves and appends them in one pass, collecting each leaf hash (for <c>log_entries.leaf_hash</c>)
    /// and every completed node above the leaves (for <c>tree_nodes</c>).
    /// </summary>
    private static CompletedNodes Extend(MerkleAppender range, List<byte[]> inputs)
    {
        var completed = new CompletedNodes(inputs.Count);
        MerkleNodeVisitor visitor = completed.Add;
        for (var i = 0; i < inputs.Count; i++)
        {
            var leafHash = new byte[Hasher.Size];
            Hasher.HashLeaf(inputs[i], leafHash);
            completed.LeafHashes[i] = leafHash;
            range.Append(leafHash, visitor);
        }

        return completed;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>The leaf hashes of one pass (one per entry) and the nodes above the leaves that it completed.</summary>
    private sealed class CompletedNodes(int leaves)
    {
        public byte[][] LeafHashes { get; } = new byte[leaves][];

        public List<short> Levels { get; } = new(leaves);

        public List<long> Indexes { get; } = new(leaves);

        public List<byte[]> Hashes { get; } = new(leaves);

        public void Add(NodeId node, ReadOnlySpan<byte> hash)
        {
            if (node.Level == 0)
            {
                return;
            }

            Levels.Add((short)node.Level);
            Indexes.Add(node.Index);
            Hashes.Add(hash.ToArray());
        }
    }
}
