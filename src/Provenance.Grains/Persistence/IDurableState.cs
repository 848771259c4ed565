using Provenance.Core.Storage;

namespace Provenance.Grains.Persistence;

/// <summary>
/// One named piece of a grain's state in the project's PostgreSQL store (<see cref="IDurableStateStore"/>), written
/// together with its durable effects (log leaves, outbox events, index rows) in ONE transaction (architecture.md,
/// flow 1). Injected as a grain constructor parameter marked <see cref="DurableStateAttribute"/>; read before
/// <c>OnActivateAsync</c>. Serialised with System.Text.Json (<see cref="DurableStateJson.Options"/>).
/// </summary>
/// <remarks>
/// Writes are optimistic: one based on a stale read throws <see cref="StateConflictException"/> and changes nothing.
/// With one activation per grain in the cluster that happens only around a silo failure; the grain then reloads.
/// </remarks>
public interface IDurableState<TState>
    where TState : class, new()
{
    /// <summary>The current in-memory value.</summary>
    TState State { get; set; }

    /// <summary>The version of the last read or write; <see langword="null"/> when nothing is stored.</summary>
    string? Etag { get; }

    /// <summary>True when a stored record exists (as of the last read or write).</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage, replacing <see cref="State"/> and <see cref="Etag"/>.</summary>
    Task ReadStateAsync();

    /// <summary>Writes <see cref="State"/> and, in the same transaction, <paramref name="effects"/>; returns once durable.</summary>
    /// <exception cref="StateConflictException">Storage holds another version than <see cref="Etag"/>; nothing is written.</exception>
    Task WriteStateAsync(DurableEffects? effects = null);
}
