using Provenance.Actors.Storage;
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
        Assert.Equal((long)Leaves - System.Numerics.BitOperations.PopCount(Leaves), await ScalarAsync(storage, $"SELECT count(*) FROM {SchemaNames.TreeNodes}"));
    }

    [Fact]
    public async Task GetNodesAsync_LeafStoredAsNodeBeforeMigration010_StillServed()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await AppendAsync(storage, 4);
        await storage.Log.SequenceAsync(10, default);
        var leafHash = Hasher.HashLeaf((await storage.Log.ReadLeafInputsAsync(2, 3, default))[0]);
        Assert.Equal(1L, await ScalarAsync(storage, $"WITH u AS (UPDATE {SchemaNames.LogEntries} SET leaf_hash = NULL WHERE idx = 2 RETURNING 1) SELECT count(*) FROM u"));
        await using (var legacy = storage.DataSource.CreateCommand($"INSERT INTO {SchemaNames.TreeNodes} (level, idx, hash) VALUES (0, 2, $1)"))
        {
            legacy.Parameters.Add(new Npgsql.NpgsqlParameter<byte[]> { TypedValue = leafHash });
            await legacy.ExecuteNonQueryAsync();
        }

        var nodes = await storage.Log.GetNodesAsync([new(0, 2), new(0, 3), new(0, 4)], default);

        Assert.Equal(2, nodes.Count);
        Assert.Equal(leafHash, nodes[new TreeNodeId(0, 2)]);
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
