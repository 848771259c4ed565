using System.Security.Cryptography;

namespace Provenance.Timestamping;

/// <summary>Source of RFC 3161 request nonces (section 2.4.1); injected so tests are deterministic.</summary>
public interface INonceSource
{
    /// <summary>Returns a fresh nonce, big-endian, at least 8 bytes; never the same twice in practice.</summary>
    byte[] NextNonce();
}

/// <summary>Default <see cref="INonceSource"/>: 16 bytes (128 bits) from the OS cryptographic generator.</summary>
public sealed class CryptographicNonceSource : INonceSource
{
    /// <summary>Shared instance; stateless and thread-safe.</summary>
    public static CryptographicNonceSource Instance { get; } = new();

    /// <inheritdoc />
    public byte[] NextNonce() => RandomNumberGenerator.GetBytes(16);
}
