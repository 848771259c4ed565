using Provenance.Core.Signing;

namespace Provenance.Grains.Signing;

/// <summary><see cref="IManifestSigner"/> over a key ring loaded from an <see cref="IKeyStore"/>.</summary>
public sealed class ManifestSigner : IManifestSigner
{
    private readonly KeyRingSource _keys;

    private ManifestSigner(KeyRingSource keys) => _keys = keys;

    /// <inheritdoc/>
    public KeyRing KeyRing => _keys.Current;

    /// <summary>Loads the ring; when <paramref name="createKeyIfNone"/> and no key is active, generates one and saves it as active.</summary>
    /// <exception cref="InvalidKeyException">A stored key is unreadable.</exception>
    public static async Task<ManifestSigner> CreateAsync(IKeyStore store, bool createKeyIfNone, CancellationToken cancellationToken = default)
        => new(await KeyRingSource.LoadAsync(store, createKeyIfNone, cancellationToken));

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
    public Task ReloadAsync(CancellationToken cancellationToken) => _keys.ReloadAsync(cancellationToken);
}
