using System.Text.Json;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Runtime;

/// <summary>Lets the runtime load a state before <c>OnActivateAsync</c> without knowing its type.</summary>
internal interface IStateLoader
{
    Task ReadStateAsync();
}

/// <summary><see cref="IPersistentState{TState}"/> over an <see cref="IGrainStorage"/>, serialised with System.Text.Json.</summary>
internal sealed class PersistentState<TState>(GrainStateKey key, IGrainStorage storage, JsonSerializerOptions json)
    : IPersistentState<TState>, IStateLoader
    where TState : new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    internal static IStateLoader Create(GrainStateKey key, IGrainStorage storage, JsonSerializerOptions json) =>
        new PersistentState<TState>(key, storage, json);

    public async Task ReadStateAsync()
    {
        var record = await storage.ReadAsync(key, CancellationToken.None).ConfigureAwait(false);
        State = record is null ? new() : JsonSerializer.Deserialize<TState>(record.Data.Span, json) ?? new();
        Etag = record?.Etag;
        RecordExists = record is not null;
    }

    public Task WriteStateAsync() => WriteAsync(null);

    public Task WriteStateAsync(DurableEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        return WriteAsync(effects);
    }

    public async Task ClearStateAsync()
    {
        await storage.ClearAsync(key, Etag, CancellationToken.None).ConfigureAwait(false);
        State = new();
        Etag = null;
        RecordExists = false;
    }

    private async Task WriteAsync(DurableEffects? effects)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(State, json);
        Etag = await storage.WriteAsync(key, data, Etag, effects is { IsEmpty: false } ? effects : null, CancellationToken.None).ConfigureAwait(false);
        RecordExists = true;
    }
}
