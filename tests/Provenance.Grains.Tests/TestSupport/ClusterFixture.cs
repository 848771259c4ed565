using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Signing;
using Provenance.Core.Storage;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>
/// One two-silo cluster per test class on its own database, with a manual clock the class's tests advance (xunit runs a
/// class's tests one at a time). Tests in a class share the cluster, so each uses its own asset ids.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly PostgresFixture _db = new();

    /// <summary>The clock every silo uses.</summary>
    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));

    /// <summary>The cluster.</summary>
    public ClusterHost Node { get; private set; } = null!;

    /// <summary>The class's database.</summary>
    public PostgresFixture Database => _db;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        Node = await TestSupport.Node.StartPostgresAsync(_db.ConnectionString, new InMemoryKeyStore(), Time);
    }

    /// <summary>Source keys of the log entries whose key starts with <paramref name="prefix"/>, in acceptance order.</summary>
    public async Task<IReadOnlyList<string>> LogSourceKeysAsync(string prefix)
    {
        await using var command = _db.DataSource.CreateCommand("SELECT source_key FROM log_entries WHERE source_key LIKE $1 || '%' ORDER BY id");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = prefix });
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>Events of an outbox stream.</summary>
    public Task<IReadOnlyList<OutboxRecord>> EventsAsync(string stream) =>
        Node.Services.GetRequiredService<IOutboxStore>().ReadAsync(stream, 0, 10_000, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await _db.DisposeAsync();
    }
}
