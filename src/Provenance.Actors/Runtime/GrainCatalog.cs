using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Actors.Diagnostics;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Runtime;

/// <summary>An assembly whose grain classes the runtime serves (registered by <c>AddGrains</c>).</summary>
internal sealed record GrainAssembly(Assembly Assembly);

/// <summary>How a turn may overlap other turns of the same activation.</summary>
internal enum CallKind
{
    /// <summary>Runs alone.</summary>
    Exclusive,
    /// <summary>Runs alongside other read-only turns only.</summary>
    ReadOnly,
    /// <summary>Runs alongside anything.</summary>
    Interleave,
}

/// <summary>A [PersistentState] constructor parameter.</summary>
internal sealed record StateParameter(Type StateType, string StateName, string? StorageName)
{
    private readonly Func<GrainStateKey, IGrainStorage, JsonSerializerOptions, IStateLoader> _create =
        typeof(PersistentState<>).MakeGenericType(StateType).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static)!
            .CreateDelegate<Func<GrainStateKey, IGrainStorage, JsonSerializerOptions, IStateLoader>>();

    public IStateLoader Create(GrainStateKey key, IGrainStorage storage, JsonSerializerOptions json) => _create(key, storage, json);
}

/// <summary>What the runtime knows about one grain class; built once per runtime.</summary>
internal sealed class GrainClassInfo
{
    private readonly ObjectFactory _factory;

    public GrainClassInfo(Type classType)
    {
        ClassType = classType;
        GrainType = classType.GetCustomAttribute<GrainTypeAttribute>()?.GrainType ?? DefaultName(classType);
        IsReentrant = classType.IsDefined(typeof(ReentrantAttribute), inherit: true);
        IsRemindable = typeof(IRemindable).IsAssignableFrom(classType);
        var constructors = classType.GetConstructors();
        if (constructors.Length != 1)
        {
            throw new InvalidOperationException($"Grain class {classType} must have exactly one public constructor (it has {constructors.Length}).");
        }

        var states = new List<StateParameter>();
        foreach (var parameter in constructors[0].GetParameters())
        {
            var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
            if (attribute is null)
            {
                continue;
            }

            var type = parameter.ParameterType;
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException($"Parameter '{parameter.Name}' of {classType} has [PersistentState] but is not IPersistentState<T>.");
            }

            if (states.Any(s => s.StateType == type.GetGenericArguments()[0]))
            {
                throw new InvalidOperationException($"{classType} has two persistent states of type {type}; give each state its own type.");
            }

            if (type.GetGenericArguments()[0].GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException($"State type {type.GetGenericArguments()[0]} of {classType} needs a public parameterless constructor.");
            }

            states.Add(new StateParameter(type.GetGenericArguments()[0], attribute.StateName, attribute.StorageName));
        }

        States = states;
        _factory = ActivatorUtilities.CreateFactory(classType, states.Select(s => typeof(IPersistentState<>).MakeGenericType(s.StateType)).ToArray());
    }

    public Type ClassType { get; }

    public string GrainType { get; }

    public bool IsReentrant { get; }

    public bool IsRemindable { get; }

    public IReadOnlyList<StateParameter> States { get; }

    public GrainTypeStatistics Statistics { get; set; } = null!;

    public object Create(IServiceProvider services, object?[] stateArguments) => _factory(services, stateArguments);

    internal static string DefaultName(Type type)
    {
        var name = type.Name;
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }
}

/// <summary>A grain interface, the class serving it and its cached method invokers.</summary>
internal sealed class GrainInterfaceInfo(Type interfaceType, GrainClassInfo grainClass)
{
    private readonly ConcurrentDictionary<MethodInfo, MethodInvoker> _invokers = new();

    public Type InterfaceType { get; } = interfaceType;

    public GrainClassInfo Class { get; } = grainClass;

    public MethodInvoker GetInvoker(MethodInfo method) =>
        _invokers.TryGetValue(method, out var invoker)
            ? invoker
            : _invokers.GetOrAdd(method, static (m, c) => MethodInvoker.Create(m, c), Class);
}

/// <summary>Grain classes found in the registered assemblies, by interface and by grain type name.</summary>
internal sealed class GrainCatalog
{
    private static readonly HashSet<Type> s_markers =
        [typeof(IGrain), typeof(IGrainWithStringKey), typeof(IGrainWithGuidKey), typeof(IGrainWithIntegerKey), typeof(IRemindable)];

    private readonly Dictionary<Type, GrainInterfaceInfo> _interfaces = [];
    private readonly Dictionary<Type, string> _ambiguous = [];
    private readonly Dictionary<string, GrainClassInfo> _byGrainType = new(StringComparer.Ordinal);

    /// <exception cref="InvalidOperationException">Two classes share a grain type name, or a grain class is malformed.</exception>
    public GrainCatalog(IEnumerable<Assembly> assemblies)
    {
        var interfaceClasses = new Dictionary<Type, List<GrainClassInfo>>();
        foreach (var type in assemblies.Distinct().SelectMany(a => a.GetTypes()))
        {
            if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters)
            {
                continue;
            }

            var grainInterfaces = type.GetInterfaces().Where(IsGrainInterface).ToList();
            if (grainInterfaces.Count == 0)
            {
                continue;
            }

            var info = new GrainClassInfo(type);
            if (!_byGrainType.TryAdd(info.GrainType, info))
            {
                throw new InvalidOperationException($"Grain classes {_byGrainType[info.GrainType].ClassType} and {type} share the grain type name '{info.GrainType}'.");
            }

            foreach (var grainInterface in grainInterfaces)
            {
                if (!interfaceClasses.TryGetValue(grainInterface, out var list))
                {
                    interfaceClasses[grainInterface] = list = [];
                }

                list.Add(info);
            }
        }

        foreach (var (grainInterface, classes) in interfaceClasses)
        {
            if (classes.Count == 1)
            {
                _interfaces[grainInterface] = new GrainInterfaceInfo(grainInterface, classes[0]);
            }
            else
            {
                _ambiguous[grainInterface] = string.Join(", ", classes.Select(c => c.ClassType.Name));
            }
        }
    }

    public IEnumerable<GrainClassInfo> Classes => _byGrainType.Values;

    /// <exception cref="ArgumentException">No class, or more than one, implements the interface.</exception>
    public GrainInterfaceInfo GetInterface(Type grainInterface)
    {
        if (_interfaces.TryGetValue(grainInterface, out var info))
        {
            return info;
        }

        throw _ambiguous.TryGetValue(grainInterface, out var names)
            ? new ArgumentException($"Grain interface {grainInterface} is implemented by several grain classes ({names}).", nameof(grainInterface))
            : new ArgumentException($"No grain class implementing {grainInterface} was registered (AddGrains).", nameof(grainInterface));
    }

    public GrainClassInfo? FindByGrainType(string grainType) => _byGrainType.GetValueOrDefault(grainType);

    private static bool IsGrainInterface(Type type) =>
        typeof(IGrain).IsAssignableFrom(type) && !s_markers.Contains(type) && !type.ContainsGenericParameters;
}
