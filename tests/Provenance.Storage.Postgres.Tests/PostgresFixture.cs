using System.Diagnostics;
using System.Reflection;
using Npgsql;
using Provenance.Storage.Postgres.Embedded;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests;

/// <summary>
/// A real PostgreSQL for tests: one embedded cluster per test assembly (per process) under <c>/tmp/provenance-pg/</c>,
/// and a fresh, migrated database per test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>). The cluster is stopped
/// and deleted when the test process exits; clusters left by crashed runs are removed on the next run.
/// Self-contained on purpose: other test projects link this file (<c>&lt;Compile Include="..\Provenance.Storage.Postgres.Tests\PostgresFixture.cs" /&gt;</c>)
/// and reference <c>Provenance.Storage.Postgres</c>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string Root = "/tmp/provenance-pg";
    private static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartClusterAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Name of this test class's database.</summary>
    public string DatabaseName { get; private set; } = "";

    /// <summary>Connection string of this test class's database (migrated).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source on <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    /// <summary>The shared cluster.</summary>
    public EmbeddedPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Cluster.Value;
        ConnectionString = await CreateDatabaseAsync(migrate: true);
        DatabaseName = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Creates another fresh database on the shared cluster and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(bool migrate)
    {
        var server = await Cluster.Value;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await server.CreateDatabaseAsync(name);
        var connectionString = server.GetConnectionString(name);
        if (migrate)
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await SchemaMigrator.MigrateAsync(dataSource);
        }

        return connectionString;
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
    }

    private static async Task<EmbeddedPostgres> StartClusterAsync()
    {
        var assembly = Assembly.GetExecutingAssembly().GetName().Name!;
        Directory.CreateDirectory(Root);
        await RemoveAbandonedClustersAsync(assembly);
        var folder = Path.Combine(Root, $"{assembly}-{Environment.ProcessId}");
        var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataFolder = folder,
            Database = "postgres",
            SharedBuffers = "128MB",
            // Each test cluster's silos hold pools of their own (storage, membership, reminders, grain storage).
            Settings = new Dictionary<string, string> { ["max_connections"] = "500" },
        });
        // The test host may be killed right after ProcessExit is raised: stop and delete from a detached process.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopInBackground(deleteDataFolder: true);
        return server;
    }

    /// <summary>Clusters of this assembly whose test process is gone (crashed or killed runs).</summary>
    private static async Task RemoveAbandonedClustersAsync(string assembly)
    {
        foreach (var folder in Directory.GetDirectories(Root, assembly + "-*"))
        {
            if (int.TryParse(Path.GetFileName(folder)[(assembly.Length + 1)..], out var pid) && !IsAlive(pid))
            {
                try
                {
                    await EmbeddedPostgres.DeleteClusterAsync(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or EmbeddedPostgresException)
                {
                    // Best effort: a folder we cannot remove does not stop this run.
                }
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
