using Provenance.Core;
using Provenance.Core.Signing;

namespace Provenance.Grains.Log;

/// <summary><see cref="ILogSigner"/> over a key ring loaded from an <see cref="IKeyStore"/>.</summary>
public sealed class LogSigner : ILogSigner
{
    private readonly IKeyStore _store;
    private KeyRing _ring;

    private LogSigner(IKeyStore store, KeyRing ring)
    {
        _store = store;
        _ring = ring;
    }

    /// <inheritdoc/>
    public KeyRing KeyRing => Volatile.Read(ref _ring);

    /// <summary>Loads the ring; when <paramref name="createKeyIfNone"/> and no key is active, generates one and saves it as active.</summary>
    /// <exception cref="InvalidKeyException">A stored key is unreadable.</exception>
    public static async Task<LogSigner> CreateAsync(IKeyStore store, bool createKeyIfNone, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        if (createKeyIfNone && !stored.Any(k => k.Status == KeyStatus.Active))
        {
            await store.SaveAsync(StoredKey.From(SigningKey.Generate(), KeyStatus.Active), cancellationToken).ConfigureAwait(false);
            stored = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        }

        return new LogSigner(store, KeyRing.FromStoredKeys(stored));
    }

    /// <inheritdoc/>
    public (string Jws, string KeyId) Sign(ReadOnlySpan<byte> checkpointText)
    {
        var key = KeyRing.Active;
        return (Es256Jws.Sign(checkpointText, key, Labels.CheckpointJwsType), key.Kid);
    }

    /// <inheritdoc/>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _ring, KeyRing.FromStoredKeys(stored));
    }
}
