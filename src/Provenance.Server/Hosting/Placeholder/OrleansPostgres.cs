using Orleans.Hosting;

namespace Provenance.Storage.Postgres.Orleans;

// PLACEHOLDER until the AdoNet SQL branch lands (same names): in-memory stand-ins so the port compiles and runs.
/// <summary>Orleans ADO.NET providers on PostgreSQL.</summary>
public static class OrleansPostgres
{
    /// <summary>The ADO.NET invariant of Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Membership on PostgreSQL.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, string connectionString) => builder.UseLocalhostClustering();

    /// <summary>Reminders on PostgreSQL.</summary>
    public static ISiloBuilder UsePostgresReminders(this ISiloBuilder builder, string connectionString) => builder.UseInMemoryReminderService();

    /// <summary>Grain storage on PostgreSQL.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString) => builder.AddMemoryGrainStorage(name);
}
