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
