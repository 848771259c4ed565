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
    public async Task BackgroundLoop_SequencingNodeKilledAndAnotherTakesOver_LogContiguousEveryEntryOnceRootRecomputed()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var admin = Npgsql.NpgsqlDataSource.Create(database);
        await using var writer = await Storage.Postgres.PostgresStorage.OpenAsync(database);
        await using var victim = await EpochNode.StartAsync(database, "seq-victim", keys, tsas, log: o => o.SequencerBatchSize = 300, silos: 1);
        var storage = writer.GrainStorage;
        const int Batches = 120, PerBatch = 50;
        long acknowledged = 0;
        var kills = 0;
        var appending = Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                await LogAppends.AppendAsync(storage, "k", b * PerBatch, (b + 1) * PerBatch);
                Interlocked.Add(ref acknowledged, PerBatch);
            }
        });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await victim.Log.GetHeadAsync(default)).Size < 500 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        for (var round = 0; round < 6 && !appending.IsCompleted; round++)
        {
            await Task.Delay(Random.Shared.Next(10, 40));
            kills += await EpochNode.KillSequencerConnectionsAsync(admin, victim.Name);
        }

        await using var survivor = await victim.AddNodeAsync("seq-survivor");
        var sequencedByVictim = (await survivor.Log.GetHeadAsync(default)).Size;
        kills += await EpochNode.KillSequencerConnectionsAsync(admin, victim.Name);
        await victim.KillAsync();
        for (var b = Batches; b < Batches + 20; b++)
        {
            await LogAppends.AppendAsync(storage, "k", b * PerBatch, (b + 1) * PerBatch);
        }

        await appending;
        var head = await LogAppends.WaitSequencedAsync(survivor.Log, TimeSpan.FromSeconds(30));

        const int Total = (Batches + 20) * PerBatch;
        Assert.True(kills > 0, "the victim node had database connections to kill");
        Assert.True(sequencedByVictim > 0, "the victim sequenced before it died");
        Assert.Equal(Total, head.Size);
        Assert.Equal(0, head.Pending);
        Assert.Equal(await LogAppends.RecomputeRootAsync(survivor.Log, head.Size), head.RootHash);
        await using var count = admin.CreateCommand("SELECT count(*), count(DISTINCT s.idx), min(s.idx), max(s.idx), count(DISTINCT e.source_key) FROM log_entries e LEFT JOIN log_sequence s ON s.entry_id = e.id");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(Total, reader.GetInt64(0));
        Assert.Equal(Total, reader.GetInt64(1));
        Assert.Equal(0, reader.GetInt64(2));
        Assert.Equal(Total - 1, reader.GetInt64(3));
        Assert.Equal(Total, reader.GetInt64(4));
        var inputs = await survivor.Log.ReadLeafInputsAsync(0, Total, default);
        Assert.Equal(
            Enumerable.Range(0, Total).Select(i => Convert.ToHexString(LogAppends.ManifestHash(LogAppends.AssetId("k", i)))).Order(),
            inputs.Select(Convert.ToHexString).Order());
    }
}
