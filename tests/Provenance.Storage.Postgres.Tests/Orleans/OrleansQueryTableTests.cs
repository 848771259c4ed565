using System.Reflection;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>The OrleansQuery rows of migration 020 against the keys Orleans 10.4.2's ADO.NET providers read.</summary>
[Collection(OrleansCollection.Name)]
public sealed class OrleansQueryTableTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task OrleansQuery_Migrated_KeysEqualTheDerivedList()
    {
        var keys = await ReadKeysAsync();

        Assert.Equal(OrleansQueryKeys.All.Order(StringComparer.Ordinal), keys);
        Assert.Equal(OrleansQueryKeys.All.Count, OrleansQueryKeys.All.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task OrleansQuery_Migrated_HoldsEveryKeyTheProvidersRequire()
    {
        // The clustering and reminders providers refuse to start unless every (internal) property of their
        // DbStoredQueries has a row; grain storage reads the keys named in its public initialization query.
        var required = RequiredKeys(typeof(AdoNetClusteringTable).Assembly, "Orleans.Clustering.AdoNet.Storage.DbStoredQueries")
            .Concat(RequiredKeys(typeof(AdoNetReminderTableOptions).Assembly, "Orleans.Reminders.AdoNet.Storage.DbStoredQueries"))
            .ToList();

        var keys = await ReadKeysAsync();

        Assert.Equal(OrleansQueryKeys.Clustering.Where(k => k != "CleanupDefunctSiloEntryKey").Concat(OrleansQueryKeys.Reminders).Order(StringComparer.Ordinal),
            required.Order(StringComparer.Ordinal));
        Assert.All(required, k => Assert.Contains(k, keys));
        Assert.All(OrleansQueryKeys.Persistence, k => Assert.Contains($"'{k}'", AdoNetGrainStorage.DefaultInitializationQuery, StringComparison.Ordinal));
    }

    [Fact]
    public void OrleansQueryKeys_OptionalCleanupKey_IsOneTheClusteringProviderLooksUp()
    {
        var queries = typeof(AdoNetClusteringTable).Assembly.GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;

        var optional = queries.GetMethod("GetCleanupDefunctSiloEntryQuery", BindingFlags.Instance | BindingFlags.NonPublic);

        Assert.NotNull(optional);
        Assert.Contains("CleanupDefunctSiloEntryKey", OrleansQueryKeys.Clustering);
    }

    [Fact]
    public async Task OrleansQuery_Migrated_TablesExist()
    {
        string[] tables = [SchemaNames.OrleansQuery, SchemaNames.OrleansMembershipVersion, SchemaNames.OrleansMembership, SchemaNames.OrleansReminders, SchemaNames.OrleansGrainState];

        var found = await PostgresOrleansCluster.ScalarAsync<long>(fixture.DataSource,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)", (object)tables);

        Assert.Equal(tables.Length, found);
    }

    private static IEnumerable<string> RequiredKeys(Assembly assembly, string typeName)
        => assembly.GetType(typeName, throwOnError: true)!
            .GetProperties(BindingFlags.Instance | BindingFlags.NonPublic)
            .Select(p => p.Name);

    private async Task<List<string>> ReadKeysAsync()
    {
        var keys = new List<string>();
        await using var command = fixture.DataSource.CreateCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
