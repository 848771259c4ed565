using Npgsql;
using Provenance.Core.Storage;
using Provenance.Core.Merkle;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Log;

/// <summary>
/// The Merkle log. Accepted entries live in <c>log_entries</c> and are never rewritten; the sequencer numbers them by
/// inserting <c>(idx, entry_id, leaf_hash)</c> rows into <c>log_sequence</c> (the leaf hash serves level-0 node ids),
/// stores the perfect-subtree nodes above the leaves in <c>tree_nodes</c>, and moves the head (size, root, compact
/// range, pending horizon) in <c>log_head</c>. Sequencing is one transaction under a transaction-scoped advisory lock,
/// so a crash anywhere rolls everything back: no gap, no duplicate index (both columns of <c>log_sequence</c> are
/// unique), no lost entry.
/// <para>
/// Pending = no <c>log_sequence</c> row. Each entry carries the id of the transaction that wrote it
/// (<c>writer_xid</c>) and <c>log_head.pending_from</c> is a horizon below which every entry is sequenced, so a pass
/// looks only at entries at or above it (migration 011 explains why the horizon is safe with out-of-order commits).
/// </para>
/// Hashing and the compact range are Core's <see cref="MerkleAppender"/> (RFC 9162 §2.1.1).
/// </summary>
internal sealed class PostgresLogStore(NpgsqlDataSource dataSource) : ILogStore
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    /// <summary>
    /// tree_nodes keeps the levels that are multiples of this (4, 8, ...; level 0 is log_sequence.leaf_hash): about
    /// n/15 rows for n leaves instead of n - 1, which made the node insert the largest part of a pass after the
    /// entries themselves. A proof node in between costs at most 8 stored hashes and 7 SHA-256 compressions.
    /// </summary>
    internal const int StoredLevelStride = 4;

    /// <inheritdoc/>
    public async Task<LogHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT h.size, h.root, ({PendingCountSql("h.pending_from")}) FROM {SchemaNames.LogHead} h WHERE h.id = 1");
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

        // The scans below must stay index scans whatever the statistics say: right after a bulk load, before
        // autoanalyze, the planner guesses a third of log_entries for "writer_xid >= horizon" and would scan the whole
        // table (and hash all of log_sequence) for a pass that finds a handful of entries. JIT compilation only adds
        // 100+ ms to a 100k-entry pass.
        await using (var settings = new NpgsqlCommand("SET LOCAL enable_seqscan = off; SET LOCAL jit = off", connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        MerkleAppender range;
        ulong pendingFrom;
        await using (var head = new NpgsqlCommand(
            $"SELECT size, compact_range, pending_from::text FROM {SchemaNames.LogHead} WHERE id = 1 FOR UPDATE", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            range = MerkleAppender.Restore(Hasher, reader.GetInt64(0), reader.GetFieldValue<byte[][]>(1));
            pendingFrom = ParseXid(reader.GetString(2));
        }

        // One statement, so the horizon is the xmin of the very snapshot that found the pending entries: every
        // transaction below it had finished, so each of its entries was either visible here or already sequenced.
        // No row locks: the advisory lock excludes every other sequencer, and entries are never updated.
        ulong horizon = 0;
        ulong lastTaken = 0;
        var ids = new List<long>();
        var inputs = new List<byte[]>();
        await using (var pending = new NpgsqlCommand(
            $"""
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text, p.id, p.leaf_input, p.writer_xid::text
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT e.id, e.leaf_input, e.writer_xid FROM {SchemaNames.LogEntries} e
                WHERE e.writer_xid >= $1::text::xid8
                  AND (SELECT true FROM {SchemaNames.LogSequence} s WHERE s.entry_id = e.id) IS NULL
                ORDER BY e.writer_xid, e.id
                LIMIT $2) AS p ON true
            """, connection, transaction))
        {
            pending.Parameters.Add(new NpgsqlParameter<string> { TypedValue = XidText(pendingFrom) });
            pending.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxBatch });
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                horizon = ParseXid(reader.GetString(0));
                if (reader.IsDBNull(1))
                {
                    break;
                }

                ids.Add(reader.GetInt64(1));
                inputs.Add(reader.GetFieldValue<byte[]>(2));
                lastTaken = ParseXid(reader.GetString(3));
            }
        }

        // A full batch may have left entries behind at or above the last writer taken (the scan is ordered by
        // writer_xid); below it, and below the horizon, everything is now sequenced. The horizon never moves back.
        var nextFrom = Math.Max(pendingFrom, ids.Count == maxBatch ? Math.Min(horizon, lastTaken) : horizon);
        var first = range.Size;
        var commands = new List<NpgsqlBatchCommand>(3);
        if (ids.Count > 0)
        {
            var completed = Extend(range, inputs);
            var positions = new long[ids.Count];
            for (var i = 0; i < positions.Length; i++)
            {
                positions[i] = first + i;
            }

            commands.Add(Command($"INSERT INTO {SchemaNames.LogSequence} (idx, entry_id, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])",
                new NpgsqlParameter<long[]> { TypedValue = positions }, new NpgsqlParameter<long[]> { TypedValue = [.. ids] },
                new NpgsqlParameter<byte[][]> { TypedValue = completed.LeafHashes }));
            commands.Add(Command($"INSERT INTO {SchemaNames.TreeNodes} (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
                new NpgsqlParameter<short[]> { TypedValue = [.. completed.Levels] }, new NpgsqlParameter<long[]> { TypedValue = [.. completed.Indexes] },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. completed.Hashes] }));
            commands.Add(Command($"UPDATE {SchemaNames.LogHead} SET size = $1, root = $2, compact_range = $3, pending_from = $4::text::xid8, updated_at = now() WHERE id = 1",
                new NpgsqlParameter<long> { TypedValue = range.Size }, new NpgsqlParameter<byte[]> { TypedValue = range.Root() },
                new NpgsqlParameter<byte[][]> { TypedValue = range.ExportState().Hashes }, new NpgsqlParameter<string> { TypedValue = XidText(nextFrom) }));
        }
        else if (nextFrom != pendingFrom)
        {
            commands.Add(Command($"UPDATE {SchemaNames.LogHead} SET pending_from = $1::text::xid8 WHERE id = 1",
                new NpgsqlParameter<string> { TypedValue = XidText(nextFrom) }));
        }

        if (commands.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long stillPending;
        await using (var count = new NpgsqlCommand(PendingCountSql("$1::text::xid8"), connection, transaction))
        {
            count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = XidText(nextFrom) });
            stillPending = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SequenceResult(first, ids.Count, new LogHead(range.Size, range.Root(), stillPending));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Only every <see cref="StoredLevelStride"/>-th level is stored (0 in log_sequence; 4, 8, ... in tree_nodes); a node
    /// in between is folded from its at most 2^(stride-1) descendants on the stored level below it, all fetched in the
    /// same query. A node of a complete subtree of the sequenced log always has those descendants.
    /// </remarks>
    public async Task<IReadOnlyDictionary<TreeNodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<TreeNodeId> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<TreeNodeId, byte[]>(ids.Count);
        if (ids.Count == 0)
        {
            return result;
        }

        var needed = new HashSet<TreeNodeId>();
        foreach (var id in ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id.Level, nameof(ids));
            var (baseLevel, first, count) = StoredCover(id);
            for (var k = 0L; k < count; k++)
            {
                needed.Add(new TreeNodeId(baseLevel, first + k));
            }
        }

        var stored = new Dictionary<TreeNodeId, byte[]>(needed.Count);
        await using (var command = dataSource.CreateCommand(
            $"""
            SELECT n.level, n.idx, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS q(level, idx)
            JOIN {SchemaNames.TreeNodes} n ON n.level = q.level AND n.idx = q.idx
            UNION ALL
            SELECT 0::smallint, s.idx, s.leaf_hash FROM {SchemaNames.LogSequence} s WHERE s.idx = ANY($3)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = needed.Where(i => i.Level > 0).Select(i => checked((short)i.Level)).ToArray() });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = needed.Where(i => i.Level > 0).Select(i => i.Index).ToArray() });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = needed.Where(i => i.Level == 0).Select(i => i.Index).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored[new TreeNodeId(reader.GetInt16(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
            }
        }

        foreach (var id in ids)
        {
            if (Fold(id, stored) is { } hash)
            {
                result[id] = hash;
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public async Task<LogEntry?> FindBySourceAsync(string sourceKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT e.source_key, e.leaf_input, s.idx, e.accepted_at, s.sequenced_at
            FROM {SchemaNames.LogEntries} e LEFT JOIN {SchemaNames.LogSequence} s ON s.entry_id = e.id
            WHERE e.source_key = $1
            """);
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
            $"""
            SELECT e.leaf_input FROM {SchemaNames.LogSequence} s JOIN {SchemaNames.LogEntries} e ON e.id = s.entry_id
            WHERE s.idx >= $1 AND s.idx < $2 ORDER BY s.idx
            """);
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

    /// <summary>The stored level at or below <paramref name="id"/> and the range of its nodes that <paramref name="id"/> covers.</summary>
    private static (int Level, long First, long Count) StoredCover(TreeNodeId id)
    {
        var below = id.Level % StoredLevelStride;
        return (id.Level - below, id.Index << below, 1L << below);
    }

    /// <summary>The hash of <paramref name="id"/> folded from its stored descendants; null when any is missing.</summary>
    private static byte[]? Fold(TreeNodeId id, Dictionary<TreeNodeId, byte[]> stored)
    {
        var (level, first, count) = StoredCover(id);
        var layer = new byte[count][];
        for (var k = 0L; k < count; k++)
        {
            if (!stored.TryGetValue(new TreeNodeId(level, first + k), out var hash))
            {
                return null;
            }

            layer[k] = hash;
        }

        for (var width = count; width > 1; width /= 2)
        {
            for (var k = 0L; k < width / 2; k++)
            {
                layer[k] = Hasher.HashChildren(layer[2 * k], layer[(2 * k) + 1]);
            }
        }

        return layer[0];
    }

    /// <summary>
    /// Counts entries without a <c>log_sequence</c> row whose writer is at or above <paramref name="horizon"/> (an SQL
    /// xid8 expression). The scalar subquery (rather than NOT EXISTS) keeps it a probe of the entry_id index per
    /// candidate: an anti-join may be planned as a hash of the whole, ever-growing log_sequence.
    /// </summary>
    private static string PendingCountSql(string horizon) =>
        $"SELECT count(*) FROM {SchemaNames.LogEntries} e WHERE e.writer_xid >= {horizon} AND (SELECT true FROM {SchemaNames.LogSequence} s WHERE s.entry_id = e.id) IS NULL";

    // xid8 travels as text: a full 64-bit transaction id (epoch and xid), compared as an unsigned number.
    private static ulong ParseXid(string text) => ulong.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

    private static string XidText(ulong xid) => xid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Hashes the leaves and appends them in one pass, collecting each leaf hash (for <c>log_sequence.leaf_hash</c>)
    /// and every completed node on a stored level above the leaves (for <c>tree_nodes</c>).
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
            if (node.Level == 0 || node.Level % StoredLevelStride != 0)
            {
                return;
            }

            Levels.Add((short)node.Level);
            Indexes.Add(node.Index);
            Hashes.Add(hash.ToArray());
        }
    }
}
