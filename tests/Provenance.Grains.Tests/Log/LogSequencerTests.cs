using Provenance.Core.Signing;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Log;

public sealed class LogSequencerTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task SequencePendingAsync_EntriesAcknowledgedBeforeCall_AllHaveIndexes()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        await using var node = await EpochNode.StartAsync(database, "seq-barrier", new InMemoryKeyStore(), new TestTsas(),
            log: o => { o.RunSequencer = false; o.SequencerBatchSize = 7; o.BarrierBatchSize = 7; });
        var storage = node.Services.GetStorage();
        await LogAppends.AppendAsync(storage, "b", 0, 30);
        await LogAppends.AppendAsync(storage, "b", 30, 31);

        var head = await node.Grains.GetLogSequencer().SequencePendingAsync();

        Assert.Equal(31, head.Size);
        Assert.Equal(0, head.Pending);
        Assert.Equal(await LogAppends.RecomputeRootAsync(node.Log, 31), head.RootHash);
        Assert.Equal(30, (await node.Log.FindBySourceAsync(StorageNames.LogSourceKey("b-30", 1), default))!.Index);
    }

    [Fact]
    public async Task BackgroundLoop_TwoNodesOneKilledMidSequencing_LogContiguousEveryEntryOnceRootRecomputed()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var victim = await EpochNode.StartAsync(database, "seq-victim", keys, tsas, log: o => o.SequencerBatchSize = 500);
        await using var survivor = await EpochNode.StartAsync(database, "seq-survivor", keys, tsas, log: o => o.SequencerBatchSize = 500);
        await using var admin = Npgsql.NpgsqlDataSource.Create(database);
        var storage = survivor.Services.GetStorage();
        const int Batches = 120, PerBatch = 50;
        var kills = 0;

        var appending = Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                await LogAppends.AppendAsync(storage, "k", b * PerBatch, (b + 1) * PerBatch);
            }
        });
        for (var round = 0; round < 15 && !appending.IsCompleted; round++)
        {
            await Task.Delay(Random.Shared.Next(5, 40));
            kills += await EpochNode.KillConnectionsAsync(admin, victim.Name);
        }

        await victim.DisposeAsync();
        await appending;
        var head = await LogAppends.WaitSequencedAsync(survivor.Log, TimeSpan.FromSeconds(30));

        Assert.True(kills > 0, "the victim node had database connections to kill");
        Assert.Equal(Batches * PerBatch, head.Size);
        Assert.Equal(0, head.Pending);
        Assert.Equal(await LogAppends.RecomputeRootAsync(survivor.Log, head.Size), head.RootHash);
        await using var count = admin.CreateCommand("SELECT count(*), count(DISTINCT idx), min(idx), max(idx), count(DISTINCT source_key) FROM log_entries");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(Batches * PerBatch, reader.GetInt64(0));
        Assert.Equal(Batches * PerBatch, reader.GetInt64(1));
        Assert.Equal(0, reader.GetInt64(2));
        Assert.Equal(Batches * PerBatch - 1, reader.GetInt64(3));
        Assert.Equal(Batches * PerBatch, reader.GetInt64(4));
    }
}
