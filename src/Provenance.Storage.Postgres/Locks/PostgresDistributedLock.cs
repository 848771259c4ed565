using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Locks;

/// <summary>
/// Session-level advisory locks keyed by <c>(namespace, hashtext(name))</c>. The handle owns the connection that holds
/// the lock; disposing it unlocks and returns the connection. If the connection dies, PostgreSQL releases the lock.
/// </summary>
/// <remarks>Two names with the same 32-bit hash share a lock: harmless (extra exclusion), never less exclusion.</remarks>
internal sealed class PostgresDistributedLock(NpgsqlDataSource dataSource) : IDistributedLock
{
    /// <inheritdoc/>
    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken) =>
        AcquireCoreAsync(name, wait: false, cancellationToken);

    /// <inheritdoc/>
    public async Task<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken) =>
        (await AcquireCoreAsync(name, wait: true, cancellationToken).ConfigureAwait(false))!;

    private async Task<IAsyncDisposable?> AcquireCoreAsync(string name, bool wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var function = wait ? "pg_advisory_lock" : "pg_try_advisory_lock";
            await using var command = new NpgsqlCommand(
                $"SELECT {function}({SchemaNames.NamedLockNamespace}, hashtext($1))::text", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            var result = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!wait && result != "true")
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return new Handle(connection, name);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Handle(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        private int disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            try
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT pg_advisory_unlock({SchemaNames.NamedLockNamespace}, hashtext($1))", connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
