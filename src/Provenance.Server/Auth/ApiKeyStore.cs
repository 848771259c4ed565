using Npgsql;
using NpgsqlTypes;
using Provenance.Core.Contracts;

namespace Provenance.Server.Auth;

/// <summary>A stored key as the authentication handler needs it.</summary>
internal sealed record StoredApiKey(string KeyId, string Tenant, IReadOnlyList<string> Scopes, string? Description, byte[] SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public ApiKeyDto ToDto(string? secret = null) => new(KeyId, Tenant, Scopes, Description, CreatedAt, RevokedAt, secret);
}

/// <summary>API keys in PostgreSQL (table <c>api_keys</c>).</summary>
internal sealed class ApiKeyStore(Provenance.Storage.Postgres.PostgresStorage storage, TimeProvider time)
{
    private const long BootstrapLockKey = 0x5052_4F56_424F_4F54; // "PROVBOOT"

    /// <summary>
    /// How long an authenticated request may reuse a key row read by an earlier one. A revocation through this node
    /// evicts at once; one made through another node (or the admin command) takes effect here within this time.
    /// </summary>
    public static readonly TimeSpan LookupCacheTime = TimeSpan.FromSeconds(1);

    private const int LookupCacheMaxEntries = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (StoredApiKey Key, long ExpiresAt)> lookups = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<StoredApiKey?>> inflight = new(StringComparer.Ordinal);

    /// <summary>
    /// <see cref="FindAsync"/> for authentication: the key row as read at most <see cref="LookupCacheTime"/> ago, which
    /// saves a database round trip on nearly every request. Unknown ids are never cached.
    /// </summary>
    public async Task<StoredApiKey?> FindForAuthenticationAsync(string keyId, CancellationToken cancellationToken)
    {
        if (lookups.TryGetValue(keyId, out var cached) && cached.ExpiresAt > Environment.TickCount64)
        {
            return cached.Key;
        }

        // Requests that miss together share one query (all 64 connections miss at once when an entry expires).
        var lookup = inflight.GetOrAdd(keyId, LookupAsync);
        try
        {
            return await lookup.WaitAsync(cancellationToken);
        }
        finally
        {
            inflight.TryRemove(new KeyValuePair<string, Task<StoredApiKey?>>(keyId, lookup));
        }
    }

    private async Task<StoredApiKey?> LookupAsync(string keyId)
    {
        var readAt = Environment.TickCount64;
        var key = await FindAsync(keyId, CancellationToken.None);
        if (key is null)
        {
            lookups.TryRemove(keyId, out _);
            return null;
        }

        if (lookups.Count >= LookupCacheMaxEntries)
        {
            lookups.Clear();
        }

        lookups[keyId] = (key, readAt + (long)LookupCacheTime.TotalMilliseconds);
        return key;
    }

    public async Task<StoredApiKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("SELECT key_id, tenant, scopes, description, secret_hash, created_at, revoked_at FROM api_keys WHERE key_id = @id");
        cmd.Parameters.AddWithValue("id", keyId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<StoredApiKey>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("SELECT key_id, tenant, scopes, description, secret_hash, created_at, revoked_at FROM api_keys WHERE tenant = @t ORDER BY created_at, key_id");
        cmd.Parameters.AddWithValue("t", tenant);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var keys = new List<StoredApiKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    /// <summary>Creates a key; the answer carries the token, which is not stored anywhere.</summary>
    public async Task<ApiKeyDto> CreateAsync(string tenant, IReadOnlyList<string> scopes, string? description, CancellationToken cancellationToken)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken);
        return await InsertAsync(connection, null, tenant, scopes, description, cancellationToken);
    }

    /// <summary>
    /// On the first start of a deployment (no key at all), creates tenant <c>default</c> with an admin key holding
    /// every scope. Several nodes starting together create one key: the check runs under an advisory lock.
    /// </summary>
    /// <returns>The new key, or <see langword="null"/> when keys already existed.</returns>
    public async Task<ApiKeyDto?> BootstrapAsync(CancellationToken cancellationToken)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({BootstrapLockKey})", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM api_keys)", connection, tx))
        {
            if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }
        }

        var key = await InsertAsync(connection, tx, Tenants.Operator, Scopes.All, "bootstrap admin key", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return key;
    }

    /// <summary>Revokes a key of <paramref name="tenant"/> (any tenant when null); false when no such key. Revoking twice is not an error.</summary>
    public async Task<bool> RevokeAsync(string keyId, string? tenant, CancellationToken cancellationToken)
    {
        lookups.TryRemove(keyId, out _);
        inflight.TryRemove(keyId, out _);
        await using var cmd = storage.DataSource.CreateCommand("UPDATE api_keys SET revoked_at = coalesce(revoked_at, @now) WHERE key_id = @id AND (@tenant::text IS NULL OR tenant = @tenant)");
        cmd.Parameters.AddWithValue("id", keyId);
        cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)tenant ?? DBNull.Value });
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        var revoked = await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        inflight.TryRemove(keyId, out _);
        lookups.TryRemove(keyId, out _); // again: a request may have cached the row between the eviction above and the update
        return revoked;
    }

    private async Task<ApiKeyDto> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, IReadOnlyList<string> scopes, string? description, CancellationToken cancellationToken)
    {
        var (keyId, token, hash) = ApiKeySecret.Create();
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % 10)); // PostgreSQL keeps microseconds; answer what is stored
        await using var cmd = new NpgsqlCommand("INSERT INTO api_keys (key_id, tenant, scopes, description, secret_hash, created_at) VALUES (@id, @t, @s, @d, @h, @now)", connection, tx);
        cmd.Parameters.AddWithValue("id", keyId);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("s", scopes.ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Text) { Value = (object?)description ?? DBNull.Value });
        cmd.Parameters.AddWithValue("h", hash);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new ApiKeyDto(keyId, tenant, scopes, description, now, null, token);
    }

    private static StoredApiKey Read(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetFieldValue<string[]>(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.GetFieldValue<byte[]>(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}

/// <summary>Tenant names and the operator tenant.</summary>
internal static class Tenants
{
    /// <summary>The tenant created on first start; its admin keys may act for other tenants (create their keys, set their policy).</summary>
    public const string Operator = "default";

    /// <summary>1-64 characters of lowercase letters, digits, '-', '_' and '.', starting with a letter or digit.</summary>
    public static bool IsValid(string? tenant) =>
        !string.IsNullOrEmpty(tenant) && tenant.Length <= 64 && (char.IsAsciiLetterLower(tenant[0]) || char.IsAsciiDigit(tenant[0])) &&
        tenant.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.');
}
