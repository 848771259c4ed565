namespace Provenance.Storage.Postgres.Embedded;

/// <summary>The embedded PostgreSQL could not be created, started or stopped; the message carries the tools' output.</summary>
public class EmbeddedPostgresException : Exception
{
    /// <summary>Creates the error.</summary>
    public EmbeddedPostgresException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>No PostgreSQL server install was found for the embedded mode.</summary>
public sealed class PostgresBinariesNotFoundException : EmbeddedPostgresException
{
    /// <summary>Creates the error, naming the folders searched.</summary>
    public PostgresBinariesNotFoundException(IEnumerable<string> searched)
        : base("PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in: " + string.Join(", ", searched) +
               ". Install them (Debian/Ubuntu: apt-get install postgresql) or configure an existing server with the connection string 'ConnectionStrings:Provenance'.")
    {
        Searched = searched.ToList();
    }

    /// <summary>The folders that were searched.</summary>
    public IReadOnlyList<string> Searched { get; }
}
