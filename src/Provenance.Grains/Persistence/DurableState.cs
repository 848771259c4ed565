using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Orleans;
using Orleans.Runtime;
using Provenance.Core.Storage;

namespace Provenance.Grains.Persistence;

/// <summary>Creates the <see cref="IDurableState{TState}"/> facet of a grain constructor parameter.</summary>
internal sealed class DurableStateAttributeMapper(IDurableStateStore store) : IAttributeToFactoryMapper<DurableStateAttribute>
{
    private static readonly MethodInfo CreateMethod = typeof(DurableStateAttributeMapper).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <inheritdoc/>
    public Factory<IGrainContext, object> GetFactory(ParameterInfo parameter, DurableStateAttribute metadata)
    {
        var type = parameter.ParameterType;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IDurableState<>))
        {
            throw new InvalidOperationException($"[DurableState] goes on a parameter of type IDurableState<T>, not {type.Name} ({parameter.Member.DeclaringType?.Name}).");
        }

        var integerKeyed = typeof(IGrainWithIntegerKey).IsAssignableFrom(parameter.Member.DeclaringType);
        var create = (Func<IGrainContext, IDurableStateStore, string, bool, object>)CreateMethod
            .MakeGenericMethod(type.GetGenericArguments()[0])
            .CreateDelegate(typeof(Func<IGrainContext, IDurableStateStore, string, bool, object>));
        return context => create(context, store, metadata.StateName, integerKeyed);
    }

    private static object Create<TState>(IGrainContext context, IDurableStateStore store, string stateName, bool integerKeyed)
        where TState : class, new()
    {
        var id = context.GrainId;
        var key = integerKeyed ? id.GetIntegerKey().ToString(CultureInfo.InvariantCulture) : id.Key.ToString()!;
        var state = new DurableState<TState>(new GrainStateKey(id.Type.ToString()!, key, stateName), store);
        context.ObservableLifecycle.Subscribe(nameof(DurableState<TState>), GrainLifecycleStage.SetupState, state.ReadAsync);
        return state;
    }
}

/// <summary>A grain's durable state over <see cref="IDurableStateStore"/>; see <see cref="IDurableState{TState}"/>.</summary>
internal sealed class DurableState<TState>(GrainStateKey key, IDurableStateStore store) : IDurableState<TState>
    where TState : class, new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    public Task ReadStateAsync() => ReadAsync(CancellationToken.None);

    internal async Task ReadAsync(CancellationToken cancellationToken)
    {
        var record = await store.ReadAsync(key, cancellationToken);
        State = record is null ? new() : JsonSerializer.Deserialize<TState>(record.Data.Span, DurableStateJson.Options) ?? new();
        Etag = record?.Etag;
        RecordExists = record is not null;
    }

    public async Task WriteStateAsync(DurableEffects? effects = null)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(State, DurableStateJson.Options);
        Etag = await store.WriteAsync(key, data, Etag, effects is { IsEmpty: false } ? effects : null, CancellationToken.None);
        RecordExists = true;
    }
}
