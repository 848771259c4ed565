using System.Text;
using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.Index;

public sealed class PostgresGrainIndexTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private PostgresStorage storage = null!;

    public async Task InitializeAsync() => storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);

    public async Task DisposeAsync() => await storage.DisposeAsync();

    [Fact]
    public async Task QueryAsync_RowsNotNumberedYet_ReturnedInInsertionOrderAndPagedWithoutRepeats()
    {
        var parent = Guid.NewGuid().ToString("N");
        foreach (var child in new[] { "c1", "c2", "c3" })
        {
            await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, child, "derived"), default);
        }

        var first = await storage.Index.QueryAsync("children", parent, IndexCursor.Start, 2, default);
        // Numbering between two pages must neither repeat nor drop a row for a cursor that went past unnumbered rows.
        await NumberAllAsync();
        var rest = await storage.Index.QueryAsync("children", parent, IndexCursor.After(IndexCursor.Start, first), 10, default);

        Assert.Equal(["c1", "c2"], first.Select(r => r.Value));
        Assert.All(first, r => Assert.Null(r.Seq));
        Assert.Equal(["c3"], rest.Select(r => r.Value));
        Assert.NotNull(rest[0].Seq);
        Assert.Equal("derived", Encoding.UTF8.GetString(rest[0].Data.Span));
        Assert.Equal(3, await storage.Index.CountAsync("children", parent, default));
    }

    [Fact]
    public async Task QueryAsync_NumberedRows_CursorAfterFirstPageReturnsTheRestInInsertionOrder()
    {
        var parent = Guid.NewGuid().ToString("N");
        foreach (var child in new[] { "c1", "c2", "c3" })
        {
            await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, child, "derived"), default);
        }

        await NumberAllAsync();
        var first = await storage.Index.QueryAsync("children", parent, IndexCursor.Start, 2, default);
        var rest = await storage.Index.QueryAsync("children", parent, IndexCursor.After(IndexCursor.Start, first), 10, default);

        Assert.Equal(["c1", "c2"], first.Select(r => r.Value));
        Assert.True(first[0].Seq < first[1].Seq);
        Assert.Equal(["c3"], rest.Select(r => r.Value));
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
    public async Task QueryAsync_WhileNumberingIsHeldUp_ReturnsCommittedRowsWithoutWaiting()
    {
        var parent = Guid.NewGuid().ToString("N");
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, "held", "r"), default);
        // A numbering pass stuck mid-transaction (a slow plan, a paused sequencer) holds the sequencer lock and the rows.
        await using var connection = await storage.DataSource.OpenConnectionAsync();
        await using var stuck = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.IndexSequencer}); UPDATE {SchemaNames.GrainIndex} SET data = data WHERE seq IS NULL",
            connection, stuck))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var rows = await storage.Index.QueryAsync("children", parent, IndexCursor.Start, 10, default).WaitAsync(TimeSpan.FromSeconds(10));
        var numbered = await storage.IndexSequencer.NumberPendingAsync(100, default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["held"], rows.Select(r => r.Value));
        Assert.Equal(0, numbered); // another pass holds the lock: this one gives way instead of queueing behind it
        await stuck.RollbackAsync();
    }

    [Fact]
    public async Task QueryAsync_ReaderByNumberedCursorDuringConcurrentInsertsAndNumbering_MissesNoChild()
    {
        var parent = Guid.NewGuid().ToString("N");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var done = new CancellationTokenSource();
        var numberer = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await storage.IndexSequencer.NumberPendingAsync(37, default);
            }
        });
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                cursor = await RefreshAsync(parent, cursor, seen);
                if (finished)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i =>
            storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, $"c{i}", "r"), default)));
        await done.CancelAsync();
        await Task.WhenAll(numberer, reader);

        Assert.Equal(400, seen.Count);
        Assert.Equal(400, await storage.Index.CountAsync("children", parent, default));
    }

    [Fact]
    public async Task NumberPendingAsync_RowsCommittedLater_NumberedAfterEveryNumberedRow()
    {
        var parent = Guid.NewGuid().ToString("N");
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, "early", "r"), default);
        await NumberAllAsync();
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child(parent, "late", "r"), default);
        await NumberAllAsync();

        var rows = await storage.Index.QueryAsync("children", parent, IndexCursor.Start, 10, default);

        Assert.Equal(["early", "late"], rows.Select(r => r.Value));
        Assert.True(rows[1].Seq > rows[0].Seq);
    }

    /// <summary>
    /// One refresh the lineage cache's way: the durable cursor moves only over numbered rows read before the first row
    /// not numbered yet; the rest of the refresh pages on with the full cursor.
    /// </summary>
    private async Task<long> RefreshAsync(string parent, long durable, HashSet<string> seen)
    {
        var cursor = new IndexCursor(durable);
        var pastNumbered = false;
        while (true)
        {
            var page = await storage.Index.QueryAsync("children", parent, cursor, 50, default);
            foreach (var row in page)
            {
                seen.Add(row.Value);
                if (!pastNumbered && row.Seq is { } seq)
                {
                    durable = seq;
                }
            }

            pastNumbered |= page.Any(r => r.Seq is null);
            if (page.Count < 50)
            {
                return durable;
            }

            cursor = IndexCursor.After(cursor, page);
        }
    }

    private async Task NumberAllAsync()
    {
        while (await storage.IndexSequencer.NumberPendingAsync(10_000, default) > 0)
        {
        }
    }
}
