using Provenance.Core.Signing;

namespace Provenance.Grains.Signing;

/// <summary>
/// The current <see cref="KeyRing"/> of one <see cref="IKeyStore"/>: loaded once (optionally creating a first
/// active key), replaced atomically by <see cref="ReloadAsync"/>, read lock-free. Shared by the manifest and the
/// log signers, which differ only in what they sign.
/// </summary>
public sealed class KeyRingSource
{
    private readonly IKeyStore _store;
    private KeyRing _ring;

    private KeyRingSource(IKeyStore store, KeyRing ring)
    {
        _store = store;
        _ring = ring;
    }

    /// <summary>The ring as last loaded.</summary>
    public KeyRing Current => Volatile.Read(ref _ring);

    /// <summary>Loads the ring; when <paramref name="createKeyIfNone"/> and no key is active, generates one and saves it as active.</summary>
    /// <exception cref="InvalidKeyException">A stored key is unreadable.</exception>
    public static async Task<KeyRingSource> LoadAsync(IKeyStore store, bool createKeyIfNone, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.LoadAllAsync(cancellationToken);
        if (createKeyIfNone && !stored.Any(k => k.Status == KeyStatus.Active))
        {
            await store.SaveAsync(StoredKey.From(SigningKey.Generate(), KeyStatus.Active), cancellationToken);
            stored = await store.LoadAllAsync(cancellationToken);
        }

        return new KeyRingSource(store, KeyRing.FromStoredKeys(stored));
    }

    /// <summary>Reads the store again (after a key rotation, retirement or revocation) and swaps the ring in.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAllAsync(cancellationToken);
        Volatile.Write(ref _ring, KeyRing.FromStoredKeys(stored));
    }
}
