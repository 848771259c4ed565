using Provenance.Core.Signing;
using Provenance.Grains.Assets;
using Provenance.LoadGen;
using Provenance.Storage.Postgres;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Starts the grain tests' clusters: two silos (TestingHost) composed as the server composes them, on PostgreSQL.</summary>
internal static class Node
{
    public static Task<ClusterHost> StartPostgresAsync(string connectionString, IKeyStore keys, TimeProvider? time = null, IRandomSource? random = null,
        Action<PostgresStorageOptions>? storage = null, int silos = 2) =>
        ClusterHost.StartAsync(connectionString, new ClusterHostOptions { ManifestKeys = keys, Time = time, Random = random, Storage = storage, Silos = silos });
}
