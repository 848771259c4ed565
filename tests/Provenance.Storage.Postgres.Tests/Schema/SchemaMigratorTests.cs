using Npgsql;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.Schema;

public sealed class SchemaMigratorTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task MigrateAsync_RunTwice_SecondRunAppliesNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));

        var first = await SchemaMigrator.MigrateAsync(dataSource);
        var second = await SchemaMigrator.MigrateAsync(dataSource);

        Assert.Equal(SchemaMigrator.Scripts().Select(s => s.Version), first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task MigrateAsync_TwoAppliersAtOnce_EachScriptAppliedOnce()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));

        var results = await Task.WhenAll(SchemaMigrator.MigrateAsync(dataSource), SchemaMigrator.MigrateAsync(dataSource));

        Assert.Equal(SchemaMigrator.Scripts().Select(s => s.Version), results.SelectMany(r => r).Order());
        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM {SchemaNames.Migrations}");
        Assert.Equal((long)SchemaMigrator.Scripts().Count, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task MigrateAsync_FreshDatabase_CreatesEveryTable()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));

        await SchemaMigrator.MigrateAsync(dataSource);

        string[] expected = [SchemaNames.GrainState, SchemaNames.LogEntries, SchemaNames.LogSequence, SchemaNames.TreeNodes, SchemaNames.LogHead, SchemaNames.Outbox,
            SchemaNames.OutboxCheckpoints, SchemaNames.GrainIndex, SchemaNames.Reminders, SchemaNames.Migrations];
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = expected });
        Assert.Equal((long)expected.Length, await command.ExecuteScalarAsync());
    }
}
