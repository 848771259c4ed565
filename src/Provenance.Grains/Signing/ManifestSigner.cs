using Provenance.Core.Signing;

namespace Provenance.Grains.Signing;

/// <summary><see cref="IManifestSigner"/> over a key ring loaded from an <see cref="IKeyStore"/>.</summary>
public sealed class ManifestSigner : IManifestSigner
{
    private readonly IKeyStore _store;
    private KeyRing _ring;

    private ManifestSigner(IKeyStore store, KeyRing ring)
    {
        _store = store;
        _ring = ring;
    }

    /// <inheritdoc/>
    public KeyRing KeyRing => Volatile.Read(ref _ring);

    /// <summary>Loads the ring; when <paramref name="createKeyIfNone"/> and no key is active, generates one and saves it as active.</summary>
    /// <exception cref="InvalidKeyException">A stored key is unreadable.</exception>
    public static async Task<ManifestSigner> CreateAsync(IKeyStore store, bool createKeyIfNone, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        if (createKeyIfNone && !stored.Any(k => k.Status == KeyStatus.Active))
        {
            await store.SaveAsync(StoredKey.From(SigningKey.Generate(), KeyStatus.Active), cancellationToken).ConfigureAwait(false);
            stored = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ManifestSigner(store, KeyRing.FromStoredKeys(stored));
    }

    /// <summary>A signer over a fresh in-memory store holding one new active key (tests, development).</summary>
    public static ManifestSigner CreateInMemory() => CreateAsync(new InMemoryKeyStore(), createKeyIfNone: true).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public SignedManifest Sign(ReadOnlySpan<byte> canonicalManifest)
    {
        var key = KeyRing.Active;
        return new SignedManifest(Es256Jws.Sign(canonicalManifest, key), key.Kid);
    }

    /// <inheritdoc/>
    public VerifiedJws Verify(string compactJws) => Es256Jws.Verify(compactJws, KeyRing);

    /// <inheritdoc/>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _ring, KeyRing.FromStoredKeys(stored));
    }
}
