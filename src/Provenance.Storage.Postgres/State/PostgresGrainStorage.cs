using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.State;

/// <summary>
/// Grain state in <c>grain_state</c> with optimistic versions (ETag = version) and group commit: concurrent writes are
/// queued, and a writer loop commits everything queued (up to <see cref="PostgresStorageOptions.MaxBatchSize"/>) in one
/// transaction, checking each item's expected version on its own. Effects are written for the items that succeeded
/// only; every caller is answered after the commit (fsync), never before.
/// </summary>
/// <remarks>
/// Keys are spread over <see cref="PostgresStorageOptions.WriterCount"/> writers by hash, so writes to one key stay in
/// submission order on this node. Two writes to the same key never share a batch: the later one waits for the next
/// batch and sees the earlier one's result. A cleared state keeps its row (data NULL) so versions never repeat.
/// </remarks>
internal sealed class PostgresGrainStorage : IDurableStateStore, IAsyncDisposable
{
    private const short KindCreate = 0;
    private const short KindUpdate = 1;
    private const short KindClear = 2;
    private const short KindClearAbsent = 3;

    // One statement = one implicit transaction = one round trip and one commit (fsync) for the whole batch.
    // Data-modifying CTEs all run; the effect inserts join the succeeded ordinals only, so a refused item writes nothing.
    private static readonly string ApplySql = $"""
        WITH input AS (
            SELECT * FROM unnest($1::int[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bigint[])
                AS i(ord, kind, t, k, s, d, v)
        ),
        created AS (
            INSERT INTO {SchemaNames.GrainState} AS g (grain_type, grain_key, state_name, data, version, updated_at)
            SELECT t, k, s, d, 1, now() FROM input WHERE kind = {KindCreate}
            ON CONFLICT (grain_type, grain_key, state_name)
                DO UPDATE SET data = EXCLUDED.data, version = g.version + 1, updated_at = now() WHERE g.data IS NULL
            RETURNING g.grain_type, g.grain_key, g.state_name, g.version
        ),
        updated AS (
            UPDATE {SchemaNames.GrainState} g SET data = i.d, version = g.version + 1, updated_at = now()
            FROM input i
            WHERE i.kind = {KindUpdate} AND g.grain_type = i.t AND g.grain_key = i.k AND g.state_name = i.s
              AND g.version = i.v AND g.data IS NOT NULL
            RETURNING g.grain_type, g.grain_key, g.state_name, g.version
        ),
        cleared AS (
            UPDATE {SchemaNames.GrainState} g SET data = NULL, version = g.version + 1, updated_at = now()
            FROM input i
            WHERE i.kind = {KindClear} AND g.grain_type = i.t AND g.grain_key = i.k AND g.state_name = i.s
              AND g.version = i.v AND g.data IS NOT NULL
            RETURNING g.grain_type, g.grain_key, g.state_name, g.version
        ),
        changed AS (SELECT * FROM created UNION ALL SELECT * FROM updated UNION ALL SELECT * FROM cleared),
        ok AS (
            SELECT i.ord, c.version FROM input i
            JOIN changed c ON c.grain_type = i.t AND c.grain_key = i.k AND c.state_name = i.s
        ),
        log AS (
            INSERT INTO {SchemaNames.LogEntries} (source_key, leaf_input)
            SELECT e.k, e.d FROM unnest($8::int[], $9::text[], $10::bytea[]) WITH ORDINALITY AS e(ord, k, d, n)
            JOIN ok USING (ord) ORDER BY e.n
        ),
        events AS (
            INSERT INTO {SchemaNames.Outbox} (stream, event_type, tenant, payload, stream_key, queue)
            SELECT e.s, e.t, e.tenant, e.p, e.sk, e.q FROM unnest($11::int[], $12::text[], $13::text[], $14::text[], $15::bytea[], $23::text[], $24::int[]) WITH ORDINALITY AS e(ord, s, t, tenant, p, sk, q, n)
            JOIN ok USING (ord) ORDER BY e.n
            RETURNING stream
        ),
        indexed AS (
            INSERT INTO {SchemaNames.GrainIndex} (index_name, key, value, data)
            SELECT e.x, e.k, e.v, e.d FROM unnest($16::int[], $17::text[], $18::text[], $19::text[], $20::bytea[]) WITH ORDINALITY AS e(ord, x, k, v, d, n)
            JOIN ok USING (ord) ORDER BY e.n
            ON CONFLICT DO NOTHING
        ),
        -- NOTIFY is transactional: delivered only if (and when) the statement's transaction commits.
        state_notices AS (
            SELECT count(pg_notify('{SchemaNames.StateChannel}', e.x)) AS sent FROM unnest($21::int[], $22::text[]) AS e(ord, x) JOIN ok USING (ord)
        ),
        stream_notices AS (
            SELECT count(pg_notify('{SchemaNames.OutboxChannel}', s.stream)) AS sent FROM (SELECT DISTINCT stream FROM events) s
        )
        SELECT i.ord, ok.version, cur.version, cur.data IS NOT NULL,
               (SELECT sent FROM state_notices), (SELECT sent FROM stream_notices)
        FROM input i
        LEFT JOIN ok USING (ord)
        -- The current (pre-statement) version is only needed to report a refused item, so the key is looked up for
        -- those only: "ok.ord IS NULL" is a one-time filter that skips the index probe for every item that succeeded
        -- (OFFSET 0 keeps the subquery from being flattened into a join, which would probe first and filter after).
        LEFT JOIN LATERAL (
            SELECT g.version, g.data FROM {SchemaNames.GrainState} g
            WHERE ok.ord IS NULL AND g.grain_type = i.t AND g.grain_key = i.k AND g.state_name = i.s
            OFFSET 0
        ) cur ON true
        """;

    private static readonly string ReadOneSql =
        $"SELECT data, version FROM {SchemaNames.GrainState} WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND data IS NOT NULL";

    // One round trip for a whole batch of reads; the ordinality maps each row back to its asker.
    private static readonly string ReadManySql = $"""
        SELECT i.n, g.data, g.version
        FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS i(t, k, s, n)
        JOIN {SchemaNames.GrainState} g ON g.grain_type = i.t AND g.grain_key = i.k AND g.state_name = i.s
        WHERE g.data IS NOT NULL
        """;

    private readonly NpgsqlDataSource dataSource;
    private readonly PostgresStorageOptions options;
    private readonly Channel<WriteRequest>[] queues;
    private readonly Task[] writers;
    private readonly Channel<ReadRequest> readQueue = Channel.CreateUnbounded<ReadRequest>();
    private readonly Task[] readers;

    public PostgresGrainStorage(NpgsqlDataSource dataSource, PostgresStorageOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WriterCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamQueueCount, 1);
        this.dataSource = dataSource;
        this.options = options;
        queues = new Channel<WriteRequest>[options.WriterCount];
        writers = new Task[options.WriterCount];
        for (var i = 0; i < queues.Length; i++)
        {
            queues[i] = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
            var reader = queues[i].Reader;
            writers[i] = Task.Run(() => WriterLoopAsync(reader));
        }

        // As many reader loops as writers: one batch in flight per loop, so a slow round trip does not stall all reads.
        readers = new Task[options.WriterCount];
        for (var i = 0; i < readers.Length; i++)
        {
            readers[i] = Task.Run(ReaderLoopAsync);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads are grouped like writes: concurrent reads are queued and a reader loop fetches everything queued (up to
    /// <see cref="PostgresStorageOptions.MaxBatchSize"/>) in one round trip. An idle reader sends a lone read at once.
    /// </remarks>
    public Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GrainStateRecord?>(cancellationToken);
        }

        var request = new ReadRequest(key, cancellationToken);
        if (!readQueue.Writer.TryWrite(request))
        {
            return Task.FromException<GrainStateRecord?>(new ObjectDisposedException(nameof(PostgresGrainStorage)));
        }

        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(GrainStateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, DurableEffects? effects, CancellationToken cancellationToken)
    {
        if (expectedEtag is null)
        {
            return SubmitAsync(new WriteRequest(key, KindCreate, 0, expectedEtag, data, effects, cancellationToken));
        }

        return TryParseVersion(expectedEtag, out var version)
            ? SubmitAsync(new WriteRequest(key, KindUpdate, version, expectedEtag, data, effects, cancellationToken))
            : Task.FromException<string>(new StateConflictException(key, expectedEtag, null));
    }

    /// <inheritdoc/>
    public Task ClearAsync(GrainStateKey key, string? expectedEtag, CancellationToken cancellationToken)
    {
        if (expectedEtag is null)
        {
            return SubmitAsync(new WriteRequest(key, KindClearAbsent, 0, null, default, null, cancellationToken));
        }

        return TryParseVersion(expectedEtag, out var version)
            ? SubmitAsync(new WriteRequest(key, KindClear, version, expectedEtag, default, null, cancellationToken))
            : Task.FromException(new StateConflictException(key, expectedEtag, null));
    }

    /// <summary>Stops the writers after they commit what is queued. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var queue in queues)
        {
            queue.Writer.TryComplete();
        }

        readQueue.Writer.TryComplete();
        await Task.WhenAll(writers).ConfigureAwait(false);
        await Task.WhenAll(readers).ConfigureAwait(false);
    }

    private async Task ReaderLoopAsync()
    {
        var reader = readQueue.Reader;
        var batch = new List<ReadRequest>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < options.MaxBatchSize && reader.TryRead(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Completion.TrySetCanceled(next.CancellationToken);
                }
                else
                {
                    batch.Add(next);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var results = await FetchAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var request in batch)
                {
                    request.Completion.TrySetException(e);
                }
            }
        }
    }

    private async Task<GrainStateRecord?[]> FetchAsync(List<ReadRequest> batch)
    {
        var n = batch.Count;
        var results = new GrainStateRecord?[n];
        if (n == 1)
        {
            var key = batch[0].Key;
            await using var single = dataSource.CreateCommand(ReadOneSql);
            single.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
            single.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
            single.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
            await using var one = await single.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            if (await one.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                results[0] = new GrainStateRecord(one.GetFieldValue<byte[]>(0), one.GetInt64(1).ToString(CultureInfo.InvariantCulture));
            }

            return results;
        }

        // The same key may be asked for twice in one batch: every asker gets the (one) row.
        var types = new string[n];
        var keys = new string[n];
        var states = new string[n];
        for (var i = 0; i < n; i++)
        {
            (types[i], keys[i], states[i]) = (batch[i].Key.GrainType, batch[i].Key.Key, batch[i].Key.StateName);
        }

        await using var command = dataSource.CreateCommand(ReadManySql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = states });
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var ord = (int)reader.GetInt64(0) - 1;
            results[ord] = new GrainStateRecord(reader.GetFieldValue<byte[]>(1), reader.GetInt64(2).ToString(CultureInfo.InvariantCulture));
        }

        return results;
    }

    private static bool TryParseVersion(string etag, out long version) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;

    private Task<string> SubmitAsync(WriteRequest request)
    {
        var queue = queues[(int)((uint)request.Key.GetHashCode() % (uint)queues.Length)];
        if (!queue.Writer.TryWrite(request))
        {
            return Task.FromException<string>(new ObjectDisposedException(nameof(PostgresGrainStorage)));
        }

        return request.Completion.Task.WaitAsync(request.CancellationToken);
    }

    private async Task WriterLoopAsync(ChannelReader<WriteRequest> reader)
    {
        var carry = new List<WriteRequest>();
        while (true)
        {
            if (carry.Count == 0 && !await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                return;
            }

            var pending = carry;
            carry = [];
            while (pending.Count < options.MaxBatchSize * 2 && reader.TryRead(out var next))
            {
                pending.Add(next);
            }

            var batch = new List<WriteRequest>(Math.Min(pending.Count, options.MaxBatchSize));
            var inBatch = new HashSet<GrainStateKey>();
            var deferred = new HashSet<GrainStateKey>();
            foreach (var request in pending)
            {
                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Completion.TrySetCanceled(request.CancellationToken);
                }
                else if (batch.Count < options.MaxBatchSize && !deferred.Contains(request.Key) && inBatch.Add(request.Key))
                {
                    batch.Add(request);
                }
                else
                {
                    // Same key twice (or batch full): the later write goes to the next batch, keeping per-key order.
                    deferred.Add(request.Key);
                    carry.Add(request);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<WriteRequest> batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var outcomes = await ApplyAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    var (request, outcome) = (batch[i], outcomes[i]);
                    if (outcome.NewVersion is { } version)
                    {
                        request.Completion.TrySetResult(version.ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        request.Completion.TrySetException(new StateConflictException(request.Key, request.ExpectedEtag,
                            outcome.CurrentVersion?.ToString(CultureInfo.InvariantCulture)));
                    }
                }

                return;
            }
            catch (PostgresException e) when (e.IsTransient && attempt < 3)
            {
                // Deadlock or serialization failure against another node's batch: nothing committed, try again.
            }
            catch (PostgresException) when (batch.Count > 1)
            {
                // One item broke the whole transaction (e.g. a duplicate log source key): nothing committed.
                // Commit each item alone so only the offending caller gets the error.
                foreach (var request in batch)
                {
                    await CommitAsync([request]).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception e)
            {
                // The connection failed: the outcome may be unknown, so report the failure and let callers re-read.
                foreach (var request in batch)
                {
                    request.Completion.TrySetException(e);
                }

                return;
            }
        }
    }

    private async Task<Outcome[]> ApplyAsync(List<WriteRequest> batch)
    {
        var n = batch.Count;
        var ords = new int[n];
        var kinds = new short[n];
        var types = new string[n];
        var keys = new string[n];
        var states = new string[n];
        var datas = new byte[]?[n];
        var versions = new long[n];
        List<int> logOrds = [], eventOrds = [], indexOrds = [], noticeOrds = [];
        List<string> logKeys = [], streams = [], eventTypes = [], indexNames = [], indexKeys = [], indexValues = [], notices = [];
        List<byte[]> logInputs = [], payloads = [];
        List<string?> tenants = [], streamKeys = [];
        List<int> streamQueues = [];
        List<byte[]?> indexData = [];
        for (var i = 0; i < n; i++)
        {
            var r = batch[i];
            (ords[i], kinds[i], types[i], keys[i], states[i], versions[i]) = (i, r.Kind, r.Key.GrainType, r.Key.Key, r.Key.StateName, r.ExpectedVersion);
            datas[i] = r.Kind is KindCreate or KindUpdate ? ToArray(r.Data) : null;
            if (options.PublishStateChanges && r.Kind != KindClearAbsent)
            {
                var notice = StateChangeNotice.Format(options.NodeId, r.Key);
                if (System.Text.Encoding.UTF8.GetByteCount(notice) <= StateChangeNotice.MaxPayloadLength)
                {
                    noticeOrds.Add(i);
                    notices.Add(notice);
                }
            }

            if (r.Effects is not { } effects)
            {
                continue;
            }

            foreach (var append in effects.LogAppends)
            {
                logOrds.Add(i);
                logKeys.Add(append.SourceKey);
                logInputs.Add(append.LeafInput);
            }

            foreach (var message in effects.Events)
            {
                eventOrds.Add(i);
                streams.Add(message.Stream);
                eventTypes.Add(message.EventType);
                tenants.Add(message.Tenant);
                payloads.Add(ToArray(message.Payload));
                streamKeys.Add(message.StreamKey);
                streamQueues.Add(OutboxStreamIdentity.QueueOf(
                    OutboxStreamIdentity.StreamIdOf(message.Stream, message.StreamKey, message.Tenant), options.StreamQueueCount));
            }

            foreach (var entry in effects.IndexEntries)
            {
                indexOrds.Add(i);
                indexNames.Add(entry.Index);
                indexKeys.Add(entry.Key);
                indexValues.Add(entry.Value);
                indexData.Add(entry.Data.IsEmpty ? null : ToArray(entry.Data));
            }
        }

        await using var apply = dataSource.CreateCommand(ApplySql);
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = ords });
        apply.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = kinds });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = states });
        apply.Parameters.Add(new NpgsqlParameter { Value = datas, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        apply.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions });
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. logOrds] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. logKeys] });
        apply.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. logInputs] });
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. eventOrds] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streams] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. eventTypes] });
        apply.Parameters.Add(new NpgsqlParameter { Value = tenants.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        apply.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. payloads] });
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. indexOrds] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. indexNames] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. indexKeys] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. indexValues] });
        apply.Parameters.Add(new NpgsqlParameter { Value = indexData.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. noticeOrds] });
        apply.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. notices] });
        apply.Parameters.Add(new NpgsqlParameter { Value = streamKeys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        apply.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. streamQueues] });

        // No explicit transaction: the single statement is atomic and commits before its results are returned.
        var outcomes = new Outcome[n];
        await using var reader = await apply.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var ord = reader.GetInt32(0);
            long? newVersion = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            long? current = reader.IsDBNull(2) || !reader.GetBoolean(3) ? null : reader.GetInt64(2);
            if (kinds[ord] == KindClearAbsent && current is null)
            {
                // Clearing what is already absent is a no-op success.
                newVersion = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
            }

            outcomes[ord] = new Outcome(newVersion, current);
        }

        return outcomes;
    }

    private static byte[] ToArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    private readonly record struct Outcome(long? NewVersion, long? CurrentVersion);

    private sealed record ReadRequest(GrainStateKey Key, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<GrainStateRecord?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record WriteRequest(
        GrainStateKey Key, short Kind, long ExpectedVersion, string? ExpectedEtag, ReadOnlyMemory<byte> Data, DurableEffects? Effects, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
