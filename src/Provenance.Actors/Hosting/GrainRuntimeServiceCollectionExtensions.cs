using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Provenance.Actors.Diagnostics;
using Provenance.Actors.Runtime;
using Provenance.Actors.Storage;
using Provenance.Actors.Streams;

namespace Provenance.Actors.Hosting;

/// <summary>Configures the grain runtime: grain assemblies and storage providers.</summary>
public interface IGrainRuntimeBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }

    /// <summary>Serves every grain class (a class implementing a grain interface) found in <paramref name="assembly"/>.</summary>
    IGrainRuntimeBuilder AddGrains(Assembly assembly);
}

/// <summary>Registration of the grain runtime.</summary>
public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the runtime (<see cref="GrainRuntime"/>, <see cref="IGrainFactory"/>, <see cref="IRuntimeStatistics"/>,
    /// <see cref="IStreamProvider"/>) and a hosted service that starts it and deactivates every grain on shutdown.
    /// Register storage next (<see cref="AddMemoryGrainStorageAsDefault"/> or a database provider).
    /// <see cref="TimeProvider.System"/> is used unless a <see cref="TimeProvider"/> is registered.
    /// </summary>
    public static IGrainRuntimeBuilder AddGrainRuntime(this IServiceCollection services, Action<GrainRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GrainRuntimeOptions>();
        services.AddOptions<GrainCollectionOptions>();
        services.AddOptions<StreamOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GrainRuntime(sp));
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IRuntimeStatistics>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IStreamProvider, OutboxStreamProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrainRuntimeHostedService>());
        return new GrainRuntimeBuilder(services);
    }

    /// <summary>Configures idle-activation collection.</summary>
    public static IGrainRuntimeBuilder ConfigureCollection(this IGrainRuntimeBuilder builder, Action<GrainCollectionOptions> configure)
    {
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures durable stream consumers.</summary>
    public static IGrainRuntimeBuilder ConfigureStreams(this IGrainRuntimeBuilder builder, Action<StreamOptions> configure)
    {
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Registers an in-memory storage as keyed <see cref="IGrainStorage"/> <paramref name="name"/> (for <c>[PersistentState(state, name)]</c>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The storage name.</param>
    /// <param name="storage">An instance to share (e.g. between two runtimes), or <see langword="null"/> for a new one.</param>
    public static IGrainRuntimeBuilder AddMemoryGrainStorage(this IGrainRuntimeBuilder builder, string name, MemoryGrainStorage? storage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        storage ??= new MemoryGrainStorage();
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, storage);
        return builder;
    }

    /// <summary>Registers an in-memory storage as the default <see cref="IGrainStorage"/>, <see cref="IGrainIndex"/> and <see cref="IOutboxStore"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="storage">An instance to share (e.g. between two runtimes), or <see langword="null"/> for a new one.</param>
    public static IGrainRuntimeBuilder AddMemoryGrainStorageAsDefault(this IGrainRuntimeBuilder builder, MemoryGrainStorage? storage = null)
    {
        storage ??= new MemoryGrainStorage();
        builder.Services.AddSingleton<IGrainStorage>(storage);
        builder.Services.AddSingleton<IGrainIndex>(storage);
        builder.Services.AddSingleton<IOutboxStore>(storage);
        return builder;
    }

    /// <summary>Registers an in-memory <see cref="IReminderTable"/> (share <paramref name="table"/> to survive a runtime restart).</summary>
    public static IGrainRuntimeBuilder AddMemoryReminderTable(this IGrainRuntimeBuilder builder, MemoryReminderTable? table = null)
    {
        builder.Services.AddSingleton<IReminderTable>(table ?? new MemoryReminderTable());
        return builder;
    }

    /// <summary>Registers an in-process <see cref="IDistributedLock"/>.</summary>
    public static IGrainRuntimeBuilder AddMemoryDistributedLock(this IGrainRuntimeBuilder builder, MemoryDistributedLock? distributedLock = null)
    {
        builder.Services.AddSingleton<IDistributedLock>(distributedLock ?? new MemoryDistributedLock());
        return builder;
    }

    private sealed class GrainRuntimeBuilder(IServiceCollection services) : IGrainRuntimeBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IGrainRuntimeBuilder AddGrains(Assembly assembly)
        {
            ArgumentNullException.ThrowIfNull(assembly);
            Services.AddSingleton(new GrainAssembly(assembly));
            return this;
        }
    }
}

/// <summary>Starts the <see cref="GrainRuntime"/> with the host and deactivates every activation when the host stops.</summary>
internal sealed class GrainRuntimeHostedService(GrainRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
}
