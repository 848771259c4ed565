using Provenance.Core.Storage;
using Provenance.Core.Merkle;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.Log;

public sealed class PostgresLogStoreTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public async Task GetHeadAsync_EmptyLog_SizeZeroAndEmptyRoot()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));

        var head = await storage.Log.GetHeadAsync(default);

        Assert.Equal(0, head.Size);
        Assert.Equal(Hasher.EmptyRoot(), head.RootHash);
        Assert.Equal(0, head.Pending);
    }

    [Fact]
    public async Task SequenceAsync_SeveralBatches_ContiguousIndexesAndStoredRootMatchesRecomputedRoot()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        var inputs = await AppendAsync(storage, 1000);

        var passes = new List<SequenceResult>();
        while (await storage.Log.SequenceAsync(300, default) is { Count: > 0 } pass)
        {
            passes.Add(pass);
        }

        var head = await storage.Log.GetHeadAsync(default);
        var stored = await storage.Log.ReadLeafInputsAsync(0, 1000, default);
        var leafHashes = stored.Select(i => Hasher.HashLeaf(i)).ToList();
        Assert.Equal([0L, 300, 600, 900], passes.Select(p => p.FirstIndex));
        Assert.Equal([300, 300, 300, 100], passes.Select(p => p.Count));
        Assert.Equal(1000, head.Size);
        Assert.Equal(0, head.Pending);
        Assert.Equal(inputs.Order(ByteComparer.Instance), stored.Order(ByteComparer.Instance));
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes), head.RootHash);
    }

    [Fact]
    public async Task GetNodesAsync_StoredAndBeyondSize_ReturnsStoredPerfectSubtreesOnly()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await AppendAsync(storage, 13);
        await storage.Log.SequenceAsync(5, default);
        await storage.Log.SequenceAsync(100, default);
        var leafHashes = (await storage.Log.ReadLeafInputsAsync(0, 13, default)).Select(i => Hasher.HashLeaf(i)).ToList();

        var nodes = await storage.Log.GetNodesAsync([new(0, 12), new(2, 1), new(3, 0), new(2, 3), new(0, 13)], default);

        Assert.Equal(3, nodes.Count);
        Assert.Equal(leafHashes[12], nodes[new TreeNodeId(0, 12)]);
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes, 4, 8), nodes[new TreeNodeId(2, 1)]);
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes, 0, 8), nodes[new TreeNodeId(3, 0)]);
    }

    [Fact]
    public async Task SequenceAsync_TwoNodesConcurrently_NeverDuplicateOrSkipAnIndex()
    {
        var connectionString = await fixture.CreateDatabaseAsync(migrate: true);
        await using var nodeA = await PostgresStorage.OpenAsync(connectionString);
        await using var nodeB = await PostgresStorage.OpenAsync(connectionString);
        var writing = AppendAsync(nodeA, 1500);

        var results = await Task.WhenAll(new[] { nodeA, nodeB }.Select(node => Task.Run(async () =>
        {
            var mine = new List<SequenceResult?>();
            while (!writing.IsCompleted || (await node.Log.GetHeadAsync(default)).Pending > 0)
            {
                mine.Add(await node.Log.SequenceAsync(50, default));
            }

            return mine;
        })));
        await writing;

        var ranges = results.SelectMany(r => r).OfType<SequenceResult>().Where(r => r.Count > 0)
            .SelectMany(r => Enumerable.Range(0, r.Count).Select(i => r.FirstIndex + i)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 1500).Select(i => (long)i), ranges);
        var head = await nodeA.Log.GetHeadAsync(default);
        var leafHashes = (await nodeA.Log.ReadLeafInputsAsync(0, head.Size, default)).Select(i => Hasher.HashLeaf(i)).ToList();
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes), head.RootHash);
    }

    [Fact]
    public async Task FindBySourceAsync_BeforeAndAfterSequencing_ReportsIndexOnceSequenced()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Leaf("asset-1", out var input), default);

        var pending = await storage.Log.FindBySourceAsync("asset-1", default);
        await storage.Log.SequenceAsync(10, default);
        var sequenced = await storage.Log.FindBySourceAsync("asset-1", default);

        Assert.Null(pending!.Index);
        Assert.Null(pending.SequencedAt);
        Assert.Equal(0, sequenced!.Index);
        Assert.NotNull(sequenced.SequencedAt);
        Assert.Equal(input, sequenced.LeafInput);
        Assert.Null(await storage.Log.FindBySourceAsync("absent", default));
    }

    [Fact]
    public async Task SequenceAsync_LockHeldByAnotherSequencer_ReturnsNull()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await using var holder = await storage.DataSource.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.LogSequencer})", holder, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        var result = await storage.Log.SequenceAsync(10, default);

        Assert.Null(result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(300)]
    public async Task GetNodesAsync_EveryProofOfEveryTreeUpTo300_LeavesFromEntriesAndNodesMatchRecomputedTree(int batch)
    {
        const int Leaves = 300;
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await AppendAsync(storage, Leaves);
        while (await storage.Log.SequenceAsync(batch, default) is { Count: > 0 })
        {
        }

        var leafHashes = (await storage.Log.ReadLeafInputsAsync(0, Leaves, default)).Select(i => Hasher.HashLeaf(i)).ToList();
        var roots = Enumerable.Range(0, Leaves + 1).Select(size => MerkleTree.ComputeRoot(Hasher, leafHashes, 0, size)).ToList();
        var plans = new List<(ProofNodes Plan, Action<byte[][]> Verify)>();
        for (var size = 1; size <= Leaves; size++)
        {
            var root = roots[size];
            for (var index = 0; index < size; index++)
            {
                var (i, n) = (index, size);
                plans.Add((ProofPlanner.Inclusion(i, n), proof => MerkleVerifier.VerifyInclusion(Hasher, i, n, leafHashes[i], proof, root)));
            }

            for (var size1 = 1; size1 < size; size1++)
            {
                var (m, n, root1) = (size1, size, roots[size1]);
                plans.Add((ProofPlanner.Consistency(m, n), proof => MerkleVerifier.VerifyConsistency(Hasher, m, n, proof, root1, root)));
            }
        }

        var ids = plans.SelectMany(p => p.Plan.Ids).Select(id => new TreeNodeId(id.Level, id.Index)).ToHashSet();
        var nodes = await storage.Log.GetNodesAsync(ids, default);

        Assert.Equal(ids.Count, nodes.Count);
        foreach (var id in ids)
        {
            var begin = (int)(id.Index << id.Level);
            Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes, begin, begin + (1 << id.Level)), nodes[id]);
        }

        foreach (var (plan, verify) in plans)
        {
            verify(plan.Rehash(Hasher, [.. plan.Ids.Select(id => nodes[new TreeNodeId(id.Level, id.Index)])]));
        }

        Assert.Equal(0L, await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.TreeNodes} WHERE level = 0"));
        // Only every 4th level is stored: the complete subtrees of 16, 256, ... leaves.
        Assert.Equal((long)(Leaves / 16) + (Leaves / 256), await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.TreeNodes}"));
        Assert.Equal(0L, await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.TreeNodes} WHERE level % 4 <> 0"));
    }

    [Fact]
    public async Task Migration011_LogSequencedByUpdateBefore_KeepsIndexesHashesAndPendingEntries()
    {
        // A log written by the update-in-place sequencer (schema 010): 6 accepted, 4 sequenced; leaf 3 keeps its hash
        // as a level-0 node row, as entries sequenced before migration 010 did.
        var connection = await fixture.CreateDatabaseAsync(migrate: false);
        var inputs = Enumerable.Range(0, 6).Select(i => System.Security.Cryptography.SHA256.HashData([(byte)i])).ToArray();
        var leafHashes = inputs.Select(i => Hasher.HashLeaf(i)).ToArray();
        await using (var old = Npgsql.NpgsqlDataSource.Create(connection))
        {
            await ExecuteAsync(old, $"CREATE TABLE {SchemaNames.Migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            foreach (var (version, name, sql) in SchemaMigrator.Scripts().Where(s => s.Version <= 10))
            {
                await ExecuteAsync(old, sql);
                await ExecuteAsync(old, $"INSERT INTO {SchemaNames.Migrations} (version, name) VALUES ({version}, '{name}')");
            }

            var range = new MerkleAppender(Hasher);
            var nodes = new List<(int Level, long Index, byte[] Hash)>();
            for (var i = 0; i < 6; i++)
            {
                bool sequenced = i < 4;
                await using var insert = old.CreateCommand(
                    $"INSERT INTO {SchemaNames.LogEntries} (source_key, leaf_input, idx, leaf_hash, sequenced_at) VALUES ($1, $2, $3, $4, CASE WHEN $3 IS NULL THEN NULL ELSE now() END)");
                insert.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = $"old-{i}@1" });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter<byte[]> { TypedValue = inputs[i] });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = sequenced ? i : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = sequenced && i != 3 ? leafHashes[i] : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
                await insert.ExecuteNonQueryAsync();
                if (sequenced)
                {
                    range.Append(leafHashes[i], (id, hash) => nodes.Add((id.Level, id.Index, hash.ToArray())));
                }
            }

            foreach (var (level, index, hash) in nodes.Where(n => n.Level > 0 || n.Index == 3))
            {
                await using var node = old.CreateCommand($"INSERT INTO {SchemaNames.TreeNodes} (level, idx, hash) VALUES ($1, $2, $3)");
                node.Parameters.Add(new Npgsql.NpgsqlParameter<short> { TypedValue = (short)level });
                node.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = index });
                node.Parameters.Add(new Npgsql.NpgsqlParameter<byte[]> { TypedValue = hash });
                await node.ExecuteNonQueryAsync();
            }

            await using var head = old.CreateCommand($"UPDATE {SchemaNames.LogHead} SET size = 4, root = $1, compact_range = $2 WHERE id = 1");
            head.Parameters.Add(new Npgsql.NpgsqlParameter<byte[]> { TypedValue = range.Root() });
            head.Parameters.Add(new Npgsql.NpgsqlParameter<byte[][]> { TypedValue = range.ExportState().Hashes });
            await head.ExecuteNonQueryAsync();
        }

        await using var storage = await PostgresStorage.OpenAsync(connection);
        var before = await storage.Log.GetHeadAsync(default);
        var pass = await storage.Log.SequenceAsync(10, default);

        Assert.Equal((4L, 2L), (before.Size, before.Pending));
        Assert.Equal((4L, 2), (pass!.FirstIndex, pass.Count));
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes), pass.Head.RootHash);
        Assert.Equal(0, pass.Head.Pending);
        Assert.Equal(3, (await storage.Log.FindBySourceAsync("old-3@1", default))!.Index);
        Assert.Equal(inputs.Select(Convert.ToHexString), (await storage.Log.ReadLeafInputsAsync(0, 6, default)).Select(Convert.ToHexString));
        var leaves = await storage.Log.GetNodesAsync([.. Enumerable.Range(0, 6).Select(i => new TreeNodeId(0, i))], default);
        Assert.Equal(leafHashes.Select(Convert.ToHexString), Enumerable.Range(0, 6).Select(i => Convert.ToHexString(leaves[new TreeNodeId(0, i)])));
        Assert.Equal(0L, await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.TreeNodes} WHERE level = 0"));
    }

    [Fact]
    public async Task SequenceAsync_ManyPassesAfterTheHorizonMoved_ScanOnlyNewEntries()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await AppendAsync(storage, 50);
        await storage.Log.SequenceAsync(1000, default);
        var horizonAfterFirst = await ScalarAsync(storage, $"SELECT pending_from::text::bigint FROM {SchemaNames.LogHead}");
        await AppendAsync(storage, 5);

        var pass = await storage.Log.SequenceAsync(1000, default);

        // Every entry of the first 50 was written below the horizon the first pass left; the next pass took only the new 5.
        Assert.Equal(50L, await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.LogEntries} WHERE writer_xid < '{horizonAfterFirst}'::xid8"));
        Assert.Equal((50L, 5), (pass!.FirstIndex, pass.Count));
        Assert.True(await ScalarAsync(storage, $"SELECT pending_from::text::bigint FROM {SchemaNames.LogHead}") > horizonAfterFirst);
    }

    [Fact]
    public async Task SequenceAsync_EntryCommittedAfterAHigherId_SequencedByTheNextPassWithoutGap()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await using var slow = await storage.DataSource.OpenConnectionAsync();
        await using var slowTransaction = await slow.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand($"INSERT INTO {SchemaNames.LogEntries} (source_key, leaf_input) VALUES ('slow', '\\x01')", slow, slowTransaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await AppendAsync(storage, 3);
        var before = await storage.Log.SequenceAsync(10, default);
        await slowTransaction.CommitAsync();
        var head = await storage.Log.GetHeadAsync(default);
        var after = await storage.Log.SequenceAsync(10, default);

        Assert.Equal((0L, 3), (before!.FirstIndex, before.Count));
        Assert.Equal(1, head.Pending);
        Assert.Equal((3L, 1), (after!.FirstIndex, after.Count));
        Assert.Equal(3, (await storage.Log.FindBySourceAsync("slow", default))!.Index);
        Assert.True(await ScalarAsync(storage, $"SELECT id FROM {SchemaNames.LogEntries} WHERE source_key = 'slow'") <
            await ScalarAsync(storage, $"SELECT min(id) FROM {SchemaNames.LogEntries} WHERE source_key <> 'slow'"));
        var leafHashes = (await storage.Log.ReadLeafInputsAsync(0, 4, default)).Select(i => Hasher.HashLeaf(i)).ToList();
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leafHashes), after.Head.RootHash);
        Assert.Equal(0, after.Head.Pending);
    }

    private static async Task ExecuteAsync(Npgsql.NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(PostgresStorage storage, string sql)
    {
        await using var command = storage.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<byte[]>> AppendAsync(PostgresStorage storage, int count)
    {
        var prefix = Guid.NewGuid().ToString("N");
        var inputs = new byte[count][];
        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Leaf($"{prefix}-{i}", out inputs[i]), default)));
        return [.. inputs];
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
