using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Provenance.Core.Storage;

namespace Provenance.Storage.Postgres;

/// <summary>Registers the PostgreSQL storage provider.</summary>
public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresStorage"/> and every storage contract it implements (<see cref="IDurableStateStore"/>,
    /// <see cref="IStateChangeFeed"/>, <see cref="IOutboxStore"/>, <see cref="IGrainIndex"/>, <see cref="IIndexSequencer"/>,
    /// <see cref="ILogStore"/>) as singletons. The storage opens (and migrates the schema)
    /// on first resolution; a hosted service resolves it at start-up, so register this before hosted services that use storage.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string connectionString, Action<PostgresStorageOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgresStorageOptions();
        configure?.Invoke(options);
        services.AddSingleton(_ => PostgresStorage.OpenAsync(connectionString, options).GetAwaiter().GetResult());
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().GrainStorage);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().StateChanges);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().Outbox);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().Index);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().IndexSequencer);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStorage>().Log);
        services.AddHostedService<PostgresStorageStartup>();
        return services;
    }

    /// <summary>Opens the storage (and migrates) when the host starts rather than on the first request.</summary>
    private sealed class PostgresStorageStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<PostgresStorage>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
