using Provenance.Core.Epochs;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Epochs;

public sealed class EpochGrainTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private static readonly byte[] RootA = Enumerable.Repeat((byte)0xAA, 32).ToArray();
    private static readonly byte[] RootB = Enumerable.Repeat((byte)0xBB, 32).ToArray();

    [Fact]
    public async Task SealAsync_SameEpochFromTwoNodes_OneCheckpointSecondSameIsIdempotentOtherRootConflicts()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var one = await EpochNode.StartAsync(database, "seal-1", keys, tsas, log: o => o.RunSequencer = false);
        await using var two = await one.AddNodeAsync("seal-2");
        var probe = await two.Grains.GetEpoch(1).FindAsync();

        var first = await one.Grains.GetEpoch(1).SealAsync(new SealRequest(3, RootA, 0, null));
        var same = await two.Grains.GetEpoch(1).SealAsync(new SealRequest(3, RootA, 0, null));
        var conflict = await Assert.ThrowsAsync<EpochConflictException>(() => two.Grains.GetEpoch(1).SealAsync(new SealRequest(4, RootB, 0, null)));

        Assert.Null(probe);
        Assert.Equal(first.Checkpoint.Text, same.Checkpoint.Text);
        Assert.Equal(first.Checkpoint.Jws, same.Checkpoint.Jws);
        Assert.Equal("epoch-conflict", conflict.Code);
        Assert.Equal(Core.ErrorKind.Conflict, conflict.Kind);
        Assert.Equal(first.Checkpoint.Text, (await two.Grains.GetEpoch(1).GetAsync()).Checkpoint.Text);
    }

    [Fact]
    public async Task SealAsync_LaterEpochWithoutPreviousRoot_RefusedAndNothingStored()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        await using var node = await EpochNode.StartAsync(database, "seal-bad", new InMemoryKeyStore(), new TestTsas(), log: o => o.RunSequencer = false);

        await Assert.ThrowsAsync<ArgumentException>(() => node.Grains.GetEpoch(2).SealAsync(new SealRequest(3, RootA, 1, null)));

        Assert.Null(await node.Grains.GetEpoch(2).FindAsync());
        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => node.Grains.GetEpoch(2).GetAsync());
    }
}
