using Provenance.Actors.Storage;

namespace Provenance.Actors;

/// <summary>
/// One named piece of persistent grain state with optimistic concurrency (an ETag).
/// Serialised with System.Text.Json (<see cref="GrainRuntimeOptions.JsonSerializerOptions"/>).
/// <typeparamref name="TState"/> needs a public parameterless constructor (the value when nothing is stored).
/// </summary>
/// <remarks>
/// Two nodes may hold an activation of the same grain at once; a write based on a stale read throws
/// <see cref="InconsistentStateException"/> and changes nothing. The grain then decides: reload
/// (<see cref="ReadStateAsync"/>), re-apply its change and write again, or report the conflict.
/// </remarks>
public interface IPersistentState<TState>
{
    /// <summary>The current in-memory value.</summary>
    TState State { get; set; }

    /// <summary>The ETag of the last read or write; <see langword="null"/> when nothing is stored.</summary>
    string? Etag { get; }

    /// <summary>True when a stored record exists (as of the last read or write).</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage, replacing <see cref="State"/> and <see cref="Etag"/>.</summary>
    Task ReadStateAsync();

    /// <summary>Writes <see cref="State"/>.</summary>
    /// <exception cref="InconsistentStateException">Storage holds another version than <see cref="Etag"/>.</exception>
    Task WriteStateAsync();

    /// <summary>Writes <see cref="State"/> and <paramref name="effects"/> in one storage transaction.</summary>
    /// <exception cref="InconsistentStateException">Storage holds another version than <see cref="Etag"/>; nothing (state or effects) is written.</exception>
    Task WriteStateAsync(DurableEffects effects);

    /// <summary>Deletes the stored state and resets <see cref="State"/> to a new instance.</summary>
    /// <exception cref="InconsistentStateException">Storage holds another version than <see cref="Etag"/>.</exception>
    Task ClearStateAsync();
}
