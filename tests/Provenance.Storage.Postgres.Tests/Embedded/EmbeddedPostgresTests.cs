using System.Diagnostics;
using Npgsql;
using Provenance.Storage.Postgres.Embedded;

namespace Provenance.Storage.Postgres.Tests.Embedded;

public sealed class EmbeddedPostgresTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine("/tmp/provenance-pg", $"launcher-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => EmbeddedPostgres.DeleteClusterAsync(folder);

    [Fact]
    public async Task StartAsync_ExistingCluster_ReusesDataOnANewStart()
    {
        await using (var first = await EmbeddedPostgres.StartAsync(Options()))
        {
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
        }

        await using var second = await EmbeddedPostgres.StartAsync(Options());
        var value = await ScalarAsync(second.ConnectionString, "SELECT v FROM kept");

        Assert.Equal(42, value);
        Assert.Equal("on", await ScalarAsync(second.ConnectionString, "SHOW fsync"));
    }

    [Fact]
    public async Task StartAsync_AfterPostmasterKilled_RecoversCommittedData()
    {
        var first = await EmbeddedPostgres.StartAsync(Options());
        await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)");
        var pid = int.Parse(File.ReadLines(Path.Combine(first.DataDirectory, "postmaster.pid")).First());
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill();
            await postmaster.WaitForExitAsync();
        }

        NpgsqlConnection.ClearAllPools();

        await using var second = await EmbeddedPostgres.StartAsync(Options());
        var value = await ScalarAsync(second.ConnectionString, "SELECT v FROM kept");

        Assert.Equal(7, value);
    }

    [Fact]
    public async Task StartAsync_ServerLeftRunningByAGoneOwner_TakesTheClusterOver()
    {
        var abandoned = await EmbeddedPostgres.StartAsync(Options());
        await ExecuteAsync(abandoned.ConnectionString, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (3)");

        await using var second = await EmbeddedPostgres.StartAsync(Options());
        var value = await ScalarAsync(second.ConnectionString, "SELECT v FROM kept");

        Assert.Equal(3, value);
    }

    [Fact]
    public async Task StartAsync_NoBinariesOnSearchPath_ThrowsWithInstallHint()
    {
        var options = new EmbeddedPostgresOptions { DataFolder = folder, BinarySearchPath = ["/nonexistent/postgres/bin"] };

        var error = await Assert.ThrowsAsync<PostgresBinariesNotFoundException>(() => EmbeddedPostgres.StartAsync(options));

        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("ConnectionStrings:Provenance", error.Message);
        Assert.Equal(["/nonexistent/postgres/bin"], error.Searched);
    }

    [Fact]
    public async Task CreateDatabaseAsync_CalledTwiceConcurrently_CreatesOnce()
    {
        await using var server = await EmbeddedPostgres.StartAsync(Options());

        await Task.WhenAll(server.CreateDatabaseAsync("twice"), server.CreateDatabaseAsync("twice"));

        Assert.Equal(1L, await ScalarAsync(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname = 'twice'"));
    }

    private EmbeddedPostgresOptions Options() => new() { DataFolder = folder, SharedBuffers = "32MB" };

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
