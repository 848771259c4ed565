using System.Globalization;

namespace Provenance.Actors.Storage;

/// <summary>
/// An in-memory "database" for tests and single-process use: grain state, the secondary index, the
/// outbox with consumer checkpoints, and pending log appends. A state write and its
/// <see cref="DurableEffects"/> are applied under one lock, all or nothing, like the PostgreSQL
/// transaction. Several runtimes may share one instance to simulate several nodes. Nothing survives the process.
/// </summary>
public sealed class MemoryGrainStorage(TimeProvider? timeProvider = null) : IGrainStorage, IGrainIndex, IOutboxStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<GrainStateKey, GrainStateRecord> _states = [];
    private readonly Dictionary<(string Index, string Key), List<IndexRecord>> _index = [];
    private readonly HashSet<(string Index, string Key, string Value)> _indexRows = [];
    private readonly Dictionary<string, List<OutboxRecord>> _outbox = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Consumer, string Stream), long> _checkpoints = [];
    private readonly Dictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LogAppend> _logBySource = new(StringComparer.Ordinal);
    private readonly List<LogAppend> _log = [];
    private long _version;
    private long _position;
    private long _indexSeq;

    /// <summary>Log appends committed so far, in commit order (there is no in-memory log sequencer).</summary>
    public IReadOnlyList<LogAppend> LogAppends
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    /// <inheritdoc/>
    public Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_states.GetValueOrDefault(key));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">A log append reuses a source key with different leaf input (nothing is written).</exception>
    public Task<string> WriteAsync(GrainStateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, DurableEffects? effects, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Write(key, data, expectedEtag, effects));
        }
        catch (Exception exception)
        {
            return Task.FromException<string>(exception);
        }
    }

    /// <inheritdoc/>
    public Task ClearAsync(GrainStateKey key, string? expectedEtag, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                var current = _states.GetValueOrDefault(key)?.Etag;
                if (current != expectedEtag)
                {
                    throw new InconsistentStateException(key, expectedEtag, current);
                }

                _states.Remove(key);
            }

            return Task.CompletedTask;
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<IndexRecord>> QueryAsync(string index, string key, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, 0);
        lock (_gate)
        {
            IReadOnlyList<IndexRecord> rows = _index.TryGetValue((index, key), out var list)
                ? list.Where(r => r.Seq > afterSeq).Take(limit).ToList()
                : [];
            return Task.FromResult(rows);
        }
    }

    /// <inheritdoc/>
    public Task<long> CountAsync(string index, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((long)(_index.TryGetValue((index, key), out var list) ? list.Count : 0));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<OutboxRecord>> ReadAsync(string stream, long afterPosition, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OutboxRecord> records = _outbox.TryGetValue(stream, out var list)
                ? list.Where(r => r.Position > afterPosition).Take(max).ToList()
                : [];
            return Task.FromResult(records);
        }
    }

    /// <inheritdoc/>
    public Task<long> GetCheckpointAsync(string consumer, string stream, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault((consumer, stream)));
        }
    }

    /// <inheritdoc/>
    public Task SaveCheckpointAsync(string consumer, string stream, long position, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _checkpoints[(consumer, stream)] = position;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>An event committed between a consumer's empty read and this call is noticed only after <paramref name="maxWait"/>.</remarks>
    public Task WaitForEventsAsync(string stream, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (!_waiters.TryGetValue(stream, out var waiter))
            {
                _waiters[stream] = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            signal = waiter.Task;
        }

        return signal.WaitAsync(maxWait, _time, cancellationToken).ContinueWith(
            static t => { if (t.IsCanceled) { t.GetAwaiter().GetResult(); } },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private string Write(GrainStateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, DurableEffects? effects)
    {
        List<TaskCompletionSource> signals = [];
        string etag;
        lock (_gate)
        {
            var current = _states.GetValueOrDefault(key)?.Etag;
            if (current != expectedEtag)
            {
                throw new InconsistentStateException(key, expectedEtag, current);
            }

            var appends = effects?.LogAppends ?? [];
            var batch = new Dictionary<string, LogAppend>(StringComparer.Ordinal);
            foreach (var append in appends)
            {
                var existing = _logBySource.GetValueOrDefault(append.SourceKey) ?? batch.GetValueOrDefault(append.SourceKey);
                if (existing is not null && !existing.LeafInput.AsSpan().SequenceEqual(append.LeafInput))
                {
                    throw new InvalidOperationException($"Log source key '{append.SourceKey}' already has a different leaf.");
                }

                batch.TryAdd(append.SourceKey, append);
            }

            etag = (++_version).ToString(CultureInfo.InvariantCulture);
            _states[key] = new GrainStateRecord(data.ToArray(), etag);
            foreach (var append in batch.Values.Where(a => !_logBySource.ContainsKey(a.SourceKey)))
            {
                var copy = append with { LeafInput = [.. append.LeafInput] };
                _logBySource[append.SourceKey] = copy;
                _log.Add(copy);
            }

            foreach (var entry in effects?.IndexEntries ?? [])
            {
                if (_indexRows.Add((entry.Index, entry.Key, entry.Value)))
                {
                    if (!_index.TryGetValue((entry.Index, entry.Key), out var rows))
                    {
                        _index[(entry.Index, entry.Key)] = rows = [];
                    }

                    rows.Add(new IndexRecord(++_indexSeq, entry.Index, entry.Key, entry.Value, entry.Data.ToArray()));
                }
            }

            var now = _time.GetUtcNow();
            foreach (var message in effects?.Events ?? [])
            {
                if (!_outbox.TryGetValue(message.Stream, out var records))
                {
                    _outbox[message.Stream] = records = [];
                }

                records.Add(new OutboxRecord(++_position, message.Stream, message.EventType, message.Tenant, message.Payload.ToArray(), now));
                if (_waiters.Remove(message.Stream, out var waiter))
                {
                    signals.Add(waiter);
                }
            }
        }

        foreach (var signal in signals)
        {
            signal.TrySetResult();
        }

        return etag;
    }
}
