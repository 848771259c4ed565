namespace Provenance.Core.Storage;

/// <summary>Identifies one named piece of persistent state of one grain.</summary>
/// <param name="GrainType">Stable grain type name (see <c>GrainTypeAttribute</c>), e.g. <c>asset</c>.</param>
/// <param name="Key">The grain's primary key in string form.</param>
/// <param name="StateName">The state's name, as given to <c>PersistentStateAttribute</c>.</param>
public readonly record struct GrainStateKey(string GrainType, string Key, string StateName)
{
    /// <inheritdoc/>
    public override string ToString() => $"{GrainType}/{Key}/{StateName}";
}

/// <summary>A stored state blob and the ETag that a later write must present.</summary>
public sealed record GrainStateRecord(ReadOnlyMemory<byte> Data, string Etag);

/// <summary>
/// A grain storage provider. Implementations: in-memory (tests, single process) and PostgreSQL.
/// Writes are optimistic: a write whose expected ETag is not the stored one fails with
/// <see cref="StateConflictException"/> and changes nothing, so two nodes that both
/// activate a grain can never lose an update.
/// </summary>
public interface IDurableStateStore
{
    /// <summary>Reads a state; <see langword="null"/> when none is stored.</summary>
    Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a state and, in the same transaction, its durable effects (log appends, outbox
    /// events, index entries). Returns only once everything is durable (committed with fsync).
    /// </summary>
    /// <param name="key">Which state.</param>
    /// <param name="data">The serialised state.</param>
    /// <param name="expectedEtag">The ETag read last; <see langword="null"/> means "must not exist yet" (create).</param>
    /// <param name="effects">Side effects committed atomically with the state, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels waiting; a write already handed to the database may still commit.</param>
    /// <returns>The new ETag.</returns>
    /// <exception cref="StateConflictException">The stored ETag differs from <paramref name="expectedEtag"/> (or the record exists when creating).</exception>
    Task<string> WriteAsync(GrainStateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, DurableEffects? effects, CancellationToken cancellationToken);

    /// <summary>Deletes a state.</summary>
    /// <exception cref="StateConflictException">The stored ETag differs from <paramref name="expectedEtag"/>.</exception>
    Task ClearAsync(GrainStateKey key, string? expectedEtag, CancellationToken cancellationToken);
}

/// <summary>Thrown when an optimistic write finds another version than the one it expected.</summary>
public sealed class StateConflictException : Exception
{
    /// <summary>Creates the error.</summary>
    public StateConflictException(GrainStateKey key, string? expectedEtag, string? currentEtag)
        : base($"State {key} was changed concurrently: expected version '{expectedEtag ?? "(none)"}', stored '{currentEtag ?? "(none)"}'.")
    {
        Key = key;
        ExpectedEtag = expectedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>Which state.</summary>
    public GrainStateKey Key { get; }

    /// <summary>The ETag the writer presented (<see langword="null"/>: it expected no record).</summary>
    public string? ExpectedEtag { get; }

    /// <summary>The ETag found in storage (<see langword="null"/>: no record), when known.</summary>
    public string? CurrentEtag { get; }
}
