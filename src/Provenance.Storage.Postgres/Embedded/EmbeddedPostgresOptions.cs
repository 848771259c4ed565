namespace Provenance.Storage.Postgres.Embedded;

/// <summary>Where and how <see cref="EmbeddedPostgres"/> runs a local PostgreSQL cluster.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>The folder holding the cluster (<c>data/</c>), its socket directory (<c>run/</c>) and its log.
    /// Created when missing; reused on the next start. Prefer a folder under <c>/tmp</c> when running as root,
    /// because every parent must be traversable by the <c>postgres</c> account.</summary>
    public required string DataFolder { get; init; }

    /// <summary>The database to create (when missing) and connect to.</summary>
    public string Database { get; init; } = "provenance";

    /// <summary>The bootstrap superuser created by <c>initdb</c>; authentication is <c>trust</c> on loopback only.</summary>
    public string User { get; init; } = "provenance";

    /// <summary>TCP port on 127.0.0.1; <see langword="null"/> (default) picks a free one on every start.</summary>
    public int? Port { get; init; }

    /// <summary>Folders searched for <c>initdb</c>/<c>pg_ctl</c>/<c>postgres</c>; <see langword="null"/> (default)
    /// means <c>PATH</c>, then <c>/usr/lib/postgresql/*/bin</c> (highest version first).</summary>
    public IReadOnlyList<string>? BinarySearchPath { get; init; }

    /// <summary><c>shared_buffers</c> of the cluster. 1 GB by default: with 256 MB, sustained registration load made
    /// backends evict dirty buffers themselves (measured in docs/benchmarks.md). Memory is only touched as used.</summary>
    public string SharedBuffers { get; init; } = "1GB";

    /// <summary>Extra <c>postgresql.conf</c> settings, written after the defaults (so they win).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long <c>pg_ctl start/stop</c> may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}
