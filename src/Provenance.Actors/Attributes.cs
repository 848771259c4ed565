namespace Provenance.Actors;

/// <summary>
/// Gives a grain class a stable type name, used in grain ids, storage keys and reminders.
/// Without it the name is the class name without a trailing "Grain", lower-cased
/// (<c>AssetGrain</c> → <c>asset</c>). Renaming a class without this attribute orphans its stored state.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    /// <summary>The stable type name.</summary>
    public string GrainType { get; } = grainType;
}

/// <summary>
/// Every call to this grain class may interleave with every other call at await points.
/// Unlike Orleans, interleaved turns are not confined to one thread: they may run in parallel on
/// thread-pool threads, so a reentrant grain must protect its own fields.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>This interface method may run while any other turn of the activation is running.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>
/// This interface method does not change grain state: it may run concurrently with other
/// <see cref="ReadOnlyAttribute"/> calls, never with a non-read-only turn.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>
/// On a grain constructor parameter of type <see cref="IPersistentState{TState}"/>: the runtime
/// supplies it, bound to the state <paramref name="stateName"/> of this grain in the storage
/// registered as keyed <c>IGrainStorage</c> service <paramref name="storageName"/> (the default,
/// non-keyed registration when <see langword="null"/>). The state is read before <c>OnActivateAsync</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>The state's name within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>Keyed storage service name, or <see langword="null"/> for the default storage.</summary>
    public string? StorageName { get; } = storageName;
}
