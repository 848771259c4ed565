using System.Text;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.State;

public sealed class PostgresGrainStorageTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private PostgresStorage storage = null!;

    private IDurableStateStore Grains => storage.GrainStorage;

    public async Task InitializeAsync() => storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);

    public async Task DisposeAsync() => await storage.DisposeAsync();

    [Fact]
    public async Task ReadAsync_NothingStored_ReturnsNull()
    {
        var key = NewKey();

        var record = await Grains.ReadAsync(key, default);

        Assert.Null(record);
    }

    [Fact]
    public async Task WriteAsync_CreateThenUpdate_ReadsLatestWithNewEtag()
    {
        var key = NewKey();

        var created = await Grains.WriteAsync(key, Bytes("v1"), null, null, default);
        var updated = await Grains.WriteAsync(key, Bytes("v2"), created, null, default);
        var record = await Grains.ReadAsync(key, default);

        Assert.Equal("1", created);
        Assert.Equal("2", updated);
        Assert.Equal("v2", Encoding.UTF8.GetString(record!.Data.Span));
        Assert.Equal("2", record.Etag);
    }

    [Fact]
    public async Task ClearAsync_CurrentEtag_ReadReturnsNullAndRecreateNeverReusesAVersion()
    {
        var key = NewKey();
        var created = await Grains.WriteAsync(key, Bytes("v1"), null, null, default);

        await Grains.ClearAsync(key, created, default);
        var afterClear = await Grains.ReadAsync(key, default);
        var recreated = await Grains.WriteAsync(key, Bytes("again"), null, null, default);

        Assert.Null(afterClear);
        Assert.Equal("3", recreated);
        await Assert.ThrowsAsync<StateConflictException>(() => Grains.WriteAsync(key, Bytes("aba"), created, null, default));
    }

    [Fact]
    public async Task ClearAsync_StaleEtag_ThrowsAndKeepsState()
    {
        var key = NewKey();
        var etag = await Grains.WriteAsync(key, Bytes("v1"), null, null, default);
        await Grains.WriteAsync(key, Bytes("v2"), etag, null, default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Grains.ClearAsync(key, etag, default));

        Assert.Equal("2", error.CurrentEtag);
        Assert.NotNull(await Grains.ReadAsync(key, default));
    }

    [Fact]
    public async Task WriteAsync_StaleEtag_ThrowsAndWritesNeitherStateNorEffects()
    {
        var key = NewKey();
        var etag = await Grains.WriteAsync(key, Bytes("v1"), null, null, default);
        await Grains.WriteAsync(key, Bytes("v2"), etag, null, default);

        var error = await Assert.ThrowsAsync<StateConflictException>(
            () => Grains.WriteAsync(key, Bytes("stale"), etag, Effects(key.Key + "-stale"), default));

        Assert.Equal("1", error.ExpectedEtag);
        Assert.Equal("2", error.CurrentEtag);
        Assert.Equal("v2", Encoding.UTF8.GetString((await Grains.ReadAsync(key, default))!.Data.Span));
        Assert.Null(await storage.Log.FindBySourceAsync(key.Key + "-stale", default));
        Assert.Equal(0L, await CountAsync(SchemaNames.Outbox, "payload = convert_to($1, 'UTF8')", key.Key + "-stale"));
        Assert.Equal(0L, await storage.Index.CountAsync("children", key.Key + "-stale", default));
    }

    [Fact]
    public async Task WriteAsync_CreateWhenExists_Throws()
    {
        var key = NewKey();
        await Grains.WriteAsync(key, Bytes("v1"), null, null, default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Grains.WriteAsync(key, Bytes("v1"), null, null, default));

        Assert.Null(error.ExpectedEtag);
        Assert.Equal("1", error.CurrentEtag);
    }

    [Fact]
    public async Task WriteAsync_TwoNodesCreateSameKey_ExactlyOneWins()
    {
        await using var otherNode = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var key = NewKey();

        var attempts = await Task.WhenAll(
            Outcome(Grains.WriteAsync(key, Bytes("a"), null, Effects(key.Key + "-a"), default)),
            Outcome(otherNode.GrainStorage.WriteAsync(key, Bytes("b"), null, Effects(key.Key + "-b"), default)));

        Assert.Single(attempts, a => a is string);
        Assert.Single(attempts, a => a is StateConflictException);
        var winner = Encoding.UTF8.GetString((await Grains.ReadAsync(key, default))!.Data.Span);
        Assert.NotNull(await storage.Log.FindBySourceAsync(key.Key + "-" + winner, default));
        Assert.Null(await storage.Log.FindBySourceAsync(key.Key + "-" + (winner == "a" ? "b" : "a"), default));
    }

    [Fact]
    public async Task WriteAsync_TwoUpdatesOfOneKeyQueuedTogether_LaterSeesEarlier()
    {
        var key = NewKey();
        await Grains.WriteAsync(key, Bytes("v1"), null, null, default);

        var results = await Task.WhenAll(
            Grains.WriteAsync(key, Bytes("v2"), "1", null, default),
            Grains.WriteAsync(key, Bytes("v3"), "2", null, default));

        Assert.Equal(["2", "3"], results);
        Assert.Equal("v3", Encoding.UTF8.GetString((await Grains.ReadAsync(key, default))!.Data.Span));
    }

    [Fact]
    public async Task WriteAsync_OneItemOfABatchBreaksAConstraint_OnlyThatItemFails()
    {
        var taken = NewKey();
        await Grains.WriteAsync(taken, Bytes("x"), null, Effects(taken.Key + "-leaf"), default);
        var keys = Enumerable.Range(0, 50).Select(_ => NewKey()).ToList();

        var attempts = await Task.WhenAll(keys.Select((k, i) =>
            Outcome(Grains.WriteAsync(k, Bytes("y"), null, Effects(i == 25 ? taken.Key + "-leaf" : k.Key + "-leaf"), default))));

        Assert.Equal(49, attempts.Count(a => a is "1"));
        Assert.IsType<Npgsql.PostgresException>(attempts[25]);
        Assert.Null(await Grains.ReadAsync(keys[25], default));
        Assert.NotNull(await Grains.ReadAsync(keys[24], default));
    }

    [Fact]
    public async Task WriteAsync_2000ConcurrentCreates_EveryAcknowledgedWriteHasItsEffects()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var keys = Enumerable.Range(0, 2000).Select(i => new GrainStateKey("asset", $"{prefix}-{i}", "state")).ToList();

        var etags = await Task.WhenAll(keys.Select(k => Grains.WriteAsync(k, Bytes(k.Key), null, Effects(k.Key), default)));

        Assert.All(etags, e => Assert.Equal("1", e));
        Assert.Equal(2000L, await CountAsync(SchemaNames.GrainState, "grain_key LIKE $1 AND data IS NOT NULL", prefix + "-%"));
        Assert.Equal(2000L, await CountAsync(SchemaNames.LogEntries, "source_key LIKE $1", prefix + "-%"));
        Assert.Equal(2000L, await CountAsync(SchemaNames.Outbox, "convert_from(payload, 'UTF8') LIKE $1", prefix + "-%"));
        Assert.Equal(2000L, await CountAsync(SchemaNames.GrainIndex, "value LIKE $1", prefix + "-%"));
    }

    [Fact]
    public async Task ReadAsync_1000ConcurrentReads_SameAsSingleReadsAndMissingKeysNull()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var stored = Enumerable.Range(0, 600).Select(i => new GrainStateKey("asset", $"{prefix}-{i}", "state")).ToList();
        var etags = await Task.WhenAll(stored.Select(k => Grains.WriteAsync(k, Bytes(k.Key), null, null, default)));
        await Grains.ClearAsync(stored[0], etags[0], default);
        var missing = Enumerable.Range(0, 300).Select(i => new GrainStateKey("asset", $"{prefix}-missing-{i}", "state"));
        var otherState = new GrainStateKey("asset", stored[1].Key, "other");
        List<GrainStateKey> asked = [.. stored, .. missing, otherState, .. stored.Take(100)];

        var batched = await Task.WhenAll(asked.Select(k => Grains.ReadAsync(k, default)));
        var single = new List<GrainStateRecord?>();
        foreach (var key in asked)
        {
            single.Add(await Grains.ReadAsync(key, default));
        }

        for (var i = 0; i < asked.Count; i++)
        {
            var key = asked[i];
            var expectNull = key == stored[0] || key == otherState || key.Key.Contains("-missing-", StringComparison.Ordinal);
            Assert.Equal(expectNull, batched[i] is null);
            Assert.Equal(single[i]?.Etag, batched[i]?.Etag);
            if (batched[i] is { } record)
            {
                Assert.Equal(key.Key, Encoding.UTF8.GetString(record.Data.Span));
                Assert.Equal("1", record.Etag);
            }
        }
    }

    [Fact]
    public async Task ReadAsync_InterleavedWithConcurrentUpdates_EtagsStayConsistent()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var keys = Enumerable.Range(0, 64).Select(i => new GrainStateKey("asset", $"{prefix}-{i}", "state")).ToList();
        await Task.WhenAll(keys.Select(k => Grains.WriteAsync(k, Bytes("0"), null, null, default)));

        // Each key: read, write back (read value + 1) with the read ETag, retry on conflict; readers run alongside.
        // If a read ever paired data with the wrong version, a write would succeed on a stale value and lose an increment.
        async Task IncrementAsync(GrainStateKey key)
        {
            while (true)
            {
                var current = await Grains.ReadAsync(key, default);
                var value = int.Parse(Encoding.UTF8.GetString(current!.Data.Span), System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await Grains.WriteAsync(key, Bytes((value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), current.Etag, null, default);
                    return;
                }
                catch (StateConflictException)
                {
                }
            }
        }

        await Task.WhenAll(keys.SelectMany(k => Enumerable.Range(0, 5).Select(_ => Task.Run(() => IncrementAsync(k)))));

        foreach (var key in keys)
        {
            var record = await Grains.ReadAsync(key, default);
            Assert.Equal("5", Encoding.UTF8.GetString(record!.Data.Span));
            Assert.Equal("6", record.Etag);
        }
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsWithoutAffectingOthers()
    {
        var key = NewKey();
        await Grains.WriteAsync(key, Bytes("v1"), null, null, default);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Grains.ReadAsync(key, cancelled.Token));
        var record = await Grains.ReadAsync(key, default);

        Assert.Equal("1", record!.Etag);
    }

    [Fact]
    public async Task StateChangedElsewhere_OtherNodeWrites_RaisedWithKeyButNotForOwnWrites()
    {
        await using var otherNode = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var seenHere = new List<GrainStateKey>();
        var seenThere = new TaskCompletionSource<GrainStateKey>(TaskCreationOptions.RunContinuationsAsynchronously);
        storage.StateChanges.StateChangedElsewhere += k => { lock (seenHere) { seenHere.Add(k); } };
        otherNode.StateChanges.StateChangedElsewhere += k => seenThere.TrySetResult(k);
        await storage.ListeningAsync(default);
        await otherNode.ListeningAsync(default);
        var key = NewKey();

        await Grains.WriteAsync(key, Bytes("v1"), null, null, default);
        var received = await seenThere.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(key, received);
        lock (seenHere)
        {
            Assert.DoesNotContain(key, seenHere);
        }
    }

    private static GrainStateKey NewKey() => new("asset", Guid.NewGuid().ToString("N"), "state");

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static DurableEffects Effects(string tag)
    {
        var effects = new DurableEffects();
        effects.LogAppends.Add(new LogAppend(tag, System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(tag))));
        effects.Events.Add(new OutboxMessage("assets", "asset.registered", "tenant-a", Encoding.UTF8.GetBytes(tag)));
        effects.IndexEntries.Add(new IndexEntry("children", tag, tag));
        return effects;
    }

    private static async Task<object> Outcome(Task<string> write)
    {
        try
        {
            return await write;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private async Task<long> CountAsync(string table, string where, string argument)
    {
        await using var command = storage.DataSource.CreateCommand($"SELECT count(*) FROM {table} WHERE {where}");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = argument });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
