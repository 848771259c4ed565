namespace Provenance.Core.Signing;

/// <summary>A key as persisted: its kid, its private key as PKCS#8 PEM, and its status.</summary>
/// <param name="Kid">RFC 7638 thumbprint of the public key.</param>
/// <param name="Pkcs8Pem">Unencrypted <c>PRIVATE KEY</c> PEM.</param>
/// <param name="Status">Current status.</param>
public sealed record StoredKey(string Kid, string Pkcs8Pem, KeyStatus Status)
{
    /// <summary>Captures <paramref name="key"/> for storage.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static StoredKey From(SigningKey key, KeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new StoredKey(key.Kid, key.ExportPkcs8Pem(), status);
    }

    /// <summary>The PEM is secret: it is left out of the text form.</summary>
    public override string ToString() => $"StoredKey {{ Kid = {Kid}, Status = {Status} }}";
}

/// <summary>
/// Where signing keys live. Core holds only the in-memory implementation (<see cref="InMemoryKeyStore"/>);
/// file-system and database stores belong to the host. Implementations keep at most one key active:
/// saving an active key retires the previous one. Status changes follow <see cref="KeyStatus"/>.
/// </summary>
public interface IKeyStore
{
    /// <summary>Every stored key with its status, in the order saved.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    ValueTask<IReadOnlyList<StoredKey>> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new key. If <paramref name="key"/> is active, the previously active key becomes retired.</summary>
    /// <exception cref="ArgumentException">A key with the same kid is already stored.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    ValueTask SaveAsync(StoredKey key, CancellationToken cancellationToken = default);

    /// <summary>Marks a key retired or revoked.</summary>
    /// <exception cref="UnknownKeyException">No key <paramref name="kid"/>.</exception>
    /// <exception cref="KeyStatusTransitionException">The change is not allowed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    ValueTask SetStatusAsync(string kid, KeyStatus status, CancellationToken cancellationToken = default);
}

/// <summary>An <see cref="IKeyStore"/> in process memory, for tests and development. Thread-safe.</summary>
public sealed class InMemoryKeyStore : IKeyStore
{
    private readonly Lock _lock = new();
    private readonly List<StoredKey> _keys = [];

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredKey>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredKey>>([.. _keys]);
        }
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(StoredKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_keys.Exists(k => k.Kid == key.Kid))
            {
                throw new ArgumentException($"Key '{key.Kid}' is already stored.", nameof(key));
            }

            if (key.Status == KeyStatus.Active)
            {
                var active = _keys.FindIndex(k => k.Status == KeyStatus.Active);
                if (active >= 0)
                {
                    _keys[active] = _keys[active] with { Status = KeyStatus.Retired };
                }
            }

            _keys.Add(key);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SetStatusAsync(string kid, KeyStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kid);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var index = _keys.FindIndex(k => k.Kid == kid);
            if (index < 0)
            {
                throw new UnknownKeyException(kid);
            }

            KeyStatusRules.EnsureAllowed(kid, _keys[index].Status, status);
            _keys[index] = _keys[index] with { Status = status };
        }

        return ValueTask.CompletedTask;
    }
}
