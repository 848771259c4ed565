using Provenance.Core.Signing;

namespace Provenance.Grains.Signing;

/// <summary>
/// Signs canonical manifest bytes with the ring's ACTIVE manifest key and verifies with the whole ring (retired keys
/// still verify, revoked never). Backed by an <see cref="IKeyStore"/> the host chooses (files, database; in memory for tests).
/// Thread-safe; the ring is swapped atomically by <see cref="ReloadAsync"/>.
/// </summary>
public interface IManifestSigner
{
    /// <summary>The current key ring.</summary>
    KeyRing KeyRing { get; }

    /// <summary>ES256 compact JWS (attached payload, <c>typ</c> <see cref="Core.Labels.ManifestJwsType"/>) over <paramref name="canonicalManifest"/>.</summary>
    /// <exception cref="NoActiveKeyException">The ring has no active private key.</exception>
    SignedManifest Sign(ReadOnlySpan<byte> canonicalManifest);

    /// <summary>Verifies a compact JWS against the ring and returns its payload.</summary>
    /// <exception cref="Core.ProvenanceException">Malformed, unknown or revoked key, or a bad signature (Core signing errors).</exception>
    VerifiedJws Verify(string compactJws);

    /// <summary>Reloads the ring from the key store (after a rotation).</summary>
    Task ReloadAsync(CancellationToken cancellationToken);
}

/// <summary>A signature over a canonical manifest.</summary>
public sealed record SignedManifest(string Jws, string KeyId);
