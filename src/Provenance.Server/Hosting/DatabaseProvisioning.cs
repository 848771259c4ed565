using Provenance.Storage.Postgres.Embedded;

namespace Provenance.Server.Hosting;

/// <summary>
/// The database the server uses: <c>ConnectionStrings:Provenance</c> when configured, otherwise an embedded
/// PostgreSQL under <c>&lt;DataDirectory&gt;/pg</c>, started here and stopped (<c>pg_ctl stop -m fast</c>) when this
/// object is disposed, i.e. when the application's service provider is disposed on shutdown.
/// </summary>
internal sealed class DatabaseProvisioning : IAsyncDisposable
{
    private readonly EmbeddedPostgres? embedded;

    private DatabaseProvisioning(string connectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        this.embedded = embedded;
    }

    /// <summary>The connection string the storage opens.</summary>
    public string ConnectionString { get; }

    /// <summary>True when this process started (and will stop) the database.</summary>
    public bool IsEmbedded => embedded is not null;

    public static async Task<DatabaseProvisioning> StartAsync(IConfiguration configuration, ProvenanceOptions options, CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString("Provenance");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new DatabaseProvisioning(connectionString, null);
        }

        var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataFolder = Path.Combine(options.ResolvedDataDirectory, "pg"),
            Database = "provenance",
        }, cancellationToken);
        return new DatabaseProvisioning(embedded.ConnectionString, embedded);
    }

    public ValueTask DisposeAsync() => embedded?.DisposeAsync() ?? ValueTask.CompletedTask;
}
