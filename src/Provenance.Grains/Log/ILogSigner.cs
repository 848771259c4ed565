using Provenance.Core.Signing;

namespace Provenance.Grains.Log;

/// <summary>
/// Signs checkpoints with the LOG key (distinct from the manifest key of <see cref="Signing.IManifestSigner"/>): the
/// ring's active key signs, active and retired keys verify, revoked never. Backed by the keyed <see cref="IKeyStore"/>
/// <c>"log"</c> the host registers (files on the server; in memory in tests). Thread-safe.
/// </summary>
public interface ILogSigner
{
    /// <summary>The current log key ring.</summary>
    KeyRing KeyRing { get; }

    /// <summary>ES256 compact JWS (attached payload, <c>typ</c> <see cref="Core.Labels.CheckpointJwsType"/>) over <paramref name="checkpointText"/>.</summary>
    /// <exception cref="NoActiveKeyException">The ring has no active private key.</exception>
    (string Jws, string KeyId) Sign(ReadOnlySpan<byte> checkpointText);

    /// <summary>Reloads the ring from the key store (after a rotation).</summary>
    Task ReloadAsync(CancellationToken cancellationToken);
}
