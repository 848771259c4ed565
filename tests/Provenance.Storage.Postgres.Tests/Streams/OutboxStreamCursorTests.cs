using Npgsql;
using Orleans.Runtime;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

[Collection(OutboxStreamCollection.Name)]
public sealed class OutboxStreamCursorTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DeployAsync_NewClusterOnTheSameDatabase_DoesNotRedeliverWhatWasDelivered()
    {
        await using var writer = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var key = Guid.NewGuid().ToString("N");
        var streamId = StreamId.Create(OutboxStreamTestCluster.AssetsStream, key);
        var queue = OutboxStreamIdentity.QueueOf(streamId, 4);
        var before = new List<long>();
        await using (var first = await OutboxStreamTestCluster.StartAsync(fixture.ConnectionString))
        {
            for (var i = 0; i < 40; i++)
            {
                before.Add(await OutboxStreamTestCluster.CommitEventAsync(writer, OutboxStreamTestCluster.AssetsStream, key, $"{key}-first-{i}"));
            }

            await Deliveries.WaitForAsync(streamId, before, Timeout);
            await WaitForCheckpointAsync(queue, before[^1]);
            await first.StopAllSilosAsync();
        }

        var deliveredByFirst = Deliveries.Of(streamId).Count;
        await using var second = await OutboxStreamTestCluster.StartAsync(fixture.ConnectionString);
        var after = await OutboxStreamTestCluster.CommitEventAsync(writer, OutboxStreamTestCluster.AssetsStream, key, $"{key}-second");

        var got = await Deliveries.WaitForAsync(streamId, [after], Timeout);

        Assert.Equal([after], got.Skip(deliveredByFirst).Select(d => d.Event.Position));
    }

    private async Task WaitForCheckpointAsync(int queue, long position)
    {
        var consumer = OutboxQueueReceiver.ConsumerName(OutboxStreamTestCluster.ProviderName, queue);
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            await using var command = fixture.DataSource.CreateCommand(
                $"SELECT position FROM {SchemaNames.OutboxCheckpoints} WHERE consumer = $1 AND stream = $2");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = OutboxQueueReceiver.CheckpointStream });
            if (await command.ExecuteScalarAsync() is long saved && saved >= position)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"checkpoint of {consumer} never reached {position}");
            await Task.Delay(100);
        }
    }
}
