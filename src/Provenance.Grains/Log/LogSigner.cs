using Provenance.Core;
using Provenance.Core.Signing;
using Provenance.Grains.Signing;

namespace Provenance.Grains.Log;

/// <summary><see cref="ILogSigner"/> over a key ring loaded from an <see cref="IKeyStore"/>.</summary>
public sealed class LogSigner : ILogSigner
{
    private readonly KeyRingSource _keys;

    private LogSigner(KeyRingSource keys) => _keys = keys;

    /// <inheritdoc/>
    public KeyRing KeyRing => _keys.Current;

    /// <summary>Loads the ring; when <paramref name="createKeyIfNone"/> and no key is active, generates one and saves it as active.</summary>
    /// <exception cref="InvalidKeyException">A stored key is unreadable.</exception>
    public static async Task<LogSigner> CreateAsync(IKeyStore store, bool createKeyIfNone, CancellationToken cancellationToken = default)
        => new(await KeyRingSource.LoadAsync(store, createKeyIfNone, cancellationToken));

    /// <inheritdoc/>
    public (string Jws, string KeyId) Sign(ReadOnlySpan<byte> checkpointText)
    {
        var key = KeyRing.Active;
        return (Es256Jws.Sign(checkpointText, key, Labels.CheckpointJwsType), key.Kid);
    }

    /// <inheritdoc/>
    public Task ReloadAsync(CancellationToken cancellationToken) => _keys.ReloadAsync(cancellationToken);
}
