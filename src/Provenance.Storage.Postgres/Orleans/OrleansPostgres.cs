using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Provenance.Storage.Postgres;

/// <summary>
/// Wires Orleans' ADO.NET providers (clustering, reminders, grain storage) to this project's PostgreSQL schema
/// (<c>Schema/Migrations/020_orleans_adonet.sql</c>). The database must have been migrated with
/// <see cref="Schema.SchemaMigrator"/> before a silo or client starts: the providers read their SQL from its
/// <c>OrleansQuery</c> table at start-up.
/// </summary>
/// <remarks>
/// Orleans finds the ADO.NET factory for <see cref="Invariant"/> itself (it loads <c>Npgsql.NpgsqlFactory.Instance</c>
/// from the Npgsql assembly this project references), so nothing is registered with <c>DbProviderFactories</c>.
/// </remarks>
public static class OrleansPostgres
{
    /// <summary>The ADO.NET invariant name Orleans uses for PostgreSQL (Npgsql).</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Silo membership in PostgreSQL (tables <c>orleans_membership</c> and <c>orleans_membership_version</c>).</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering((AdoNetClusteringSiloOptions options) =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>A cluster client that finds its gateways (the Active silos) in the PostgreSQL membership table.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <returns>The same builder.</returns>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering((AdoNetClusteringClientOptions options) =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>Orleans' reminder table in PostgreSQL (table <c>orleans_reminders</c>).</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder UsePostgresReminders(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetReminderService((AdoNetReminderTableOptions options) =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>
    /// A named grain storage in PostgreSQL (table <c>orleans_grain_state</c>) whose payload is JSON written by
    /// System.Text.Json, so state classes need no Orleans serializer attributes.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage name grains use in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString)
        => builder.AddPostgresGrainStorage(name, connectionString, configure: null);

    /// <summary>
    /// As <see cref="AddPostgresGrainStorage(ISiloBuilder, string, string)"/>, then applies <paramref name="configure"/>
    /// (e.g. <see cref="AdoNetGrainStorageOptions.DeleteStateOnClear"/>, or another serializer).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage name.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <param name="configure">Further option changes, applied last; may be null.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString, Action<AdoNetGrainStorageOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddAdoNetGrainStorage(name, (AdoNetGrainStorageOptions options) =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
            options.GrainStorageSerializer = JsonSerializer;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// A named grain storage in PostgreSQL for Orleans' own state types (the stream pub-sub store): the payload is
    /// written by Orleans' serializer, since those types are made for it and not for System.Text.Json (their
    /// constructors do not bind, so a JSON payload is written but can never be read back).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage name.</param>
    /// <param name="connectionString">Connection string of the migrated database.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddPostgresRuntimeGrainStorage(this ISiloBuilder builder, string name, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
    }

    /// <summary>Orleans' System.Text.Json grain-storage serializer with default (web-neutral) options; stateless, so shared.</summary>
    private static readonly SystemTextJsonGrainStorageSerializer JsonSerializer =
        new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));
}
