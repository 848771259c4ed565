using System.Text;

namespace Provenance.Storage.Postgres.Tests.Index;

public sealed class PostgresGrainIndexTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private PostgresStorage storage = null!;

    public async Task InitializeAsync() => storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);

    public async Task DisposeAsync() => await storage.DisposeAsync();

    [Fact]
    public async Task QueryAsync_CursorAfterFirstPage_ReturnsTheRestInInsertionOrder()
    {
        var parent = Guid.NewGuid().ToString("N");
        foreach (var child in new[] { "c1", "c2", "c3" })
        {
            await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, child, "derived"), default);
        }

        var first = await storage.Index.QueryAsync("children", parent, 0, 2, default);
        var rest = await storage.Index.QueryAsync("children", parent, first[^1].Seq, 10, default);

        Assert.Equal(["c1", "c2"], first.Select(r => r.Value));
        Assert.Equal(["c3"], rest.Select(r => r.Value));
        Assert.Equal("derived", Encoding.UTF8.GetString(rest[0].Data.Span));
        Assert.Equal(3, await storage.Index.CountAsync("children", parent, default));
    }

    [Fact]
    public async Task WriteAsync_SameIndexTripleTwice_StoredOnce()
    {
        var parent = Guid.NewGuid().ToString("N");

        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, "c", "r"), default);
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, "c", "r"), default);

        Assert.Equal(1, await storage.Index.CountAsync("children", parent, default));
    }

    [Fact]
    public async Task QueryAsync_CursorReaderDuringConcurrentInserts_MissesNoChild()
    {
        var parent = Guid.NewGuid().ToString("N");
        var seen = new List<string>();
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await storage.Index.QueryAsync("children", parent, cursor, 50, default);
                seen.AddRange(page.Select(r => r.Value));
                cursor = page.Count > 0 ? page[^1].Seq : cursor;
                if (finished && page.Count == 0)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i =>
            storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, $"c{i}", "r"), default)));
        await done.CancelAsync();
        await reader;

        Assert.Equal(400, seen.Count);
        Assert.Equal(400, seen.Distinct().Count());
    }
}
