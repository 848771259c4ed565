namespace Provenance.Storage.Postgres.Tests.Locks;

public sealed class PostgresDistributedLockTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task TryAcquireAsync_HeldByAnotherNode_ReturnsNullUntilReleased()
    {
        await using var nodeA = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        await using var nodeB = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var name = "seal-" + Guid.NewGuid().ToString("N");

        var held = await nodeA.Locks.TryAcquireAsync(name, default);
        var refused = await nodeB.Locks.TryAcquireAsync(name, default);
        await held!.DisposeAsync();
        var afterRelease = await nodeB.Locks.TryAcquireAsync(name, default);

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.NotNull(afterRelease);
        await afterRelease!.DisposeAsync();
    }

    [Fact]
    public async Task AcquireAsync_HeldElsewhere_WaitsForRelease()
    {
        await using var nodeA = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        await using var nodeB = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var name = "seq-" + Guid.NewGuid().ToString("N");
        var held = await nodeA.Locks.AcquireAsync(name, default);

        var waiting = nodeB.Locks.AcquireAsync(name, default);
        await Task.Delay(300);
        var completedWhileHeld = waiting.IsCompleted;
        await held.DisposeAsync();
        var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(completedWhileHeld);
        await acquired.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquireAsync_DifferentNames_BothGranted()
    {
        await using var node = await PostgresStorage.OpenAsync(fixture.ConnectionString);

        var a = await node.Locks.TryAcquireAsync("a-" + Guid.NewGuid().ToString("N"), default);
        var b = await node.Locks.TryAcquireAsync("b-" + Guid.NewGuid().ToString("N"), default);

        Assert.NotNull(a);
        Assert.NotNull(b);
        await a!.DisposeAsync();
        await b!.DisposeAsync();
    }
}
