using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Provenance.Grains.Log;

namespace Provenance.Grains.Signing;

/// <summary>
/// Checks that a manifest JWS verifies under the manifest key ring and carries exactly the canonical manifest bytes,
/// remembering passes: POST /v1/verify checks the same stored JWS of an asset again and again, and its outcome cannot
/// change while the key ring stays the same object. A pass is keyed by a SHA-256 over the exact JWS text and the exact
/// canonical bytes, and remembered under the ring it was checked with; <see cref="IManifestSigner.ReloadAsync"/>
/// (a rotation, retirement or revocation) swaps the ring and so drops every remembered pass, and the next check runs
/// in full. Failures are never remembered. Thread-safe; one per node.
/// </summary>
public sealed class ManifestSignatureCache
{
    /// <summary>Bound on remembered passes (one per asset revision verified); reaching it starts over.</summary>
    public const int MaxEntries = 65_536;

    private readonly IManifestSigner signer;
    private readonly VerifiedResultCache<Digest> passes = new(MaxEntries);

    /// <summary>A cache over <paramref name="signer"/>'s key ring.</summary>
    public ManifestSignatureCache(IManifestSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        this.signer = signer;
    }

    /// <summary>
    /// Verifies <paramref name="compactJws"/> with the signer's current ring (retired keys verify, revoked never) and
    /// compares its payload with <paramref name="canonicalManifest"/>.
    /// </summary>
    /// <param name="compactJws">The stored compact JWS.</param>
    /// <param name="canonicalManifest">The canonical manifest bytes the JWS must carry.</param>
    /// <param name="kid">The key that signed (also when the payload differs).</param>
    /// <returns>True when the signature verifies and the payload is exactly <paramref name="canonicalManifest"/>; false when it verifies over other bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="compactJws"/> is null.</exception>
    /// <exception cref="Core.ProvenanceException">The JWS is malformed, names an unknown or revoked key, or its signature does not verify.</exception>
    public bool Verify(string compactJws, ReadOnlySpan<byte> canonicalManifest, out string kid)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        var ring = signer.KeyRing;
        var key = KeyOf(compactJws, canonicalManifest);
        if (passes.TryGetPass(ring, key, out var remembered))
        {
            kid = remembered;
            return true;
        }

        var verified = signer.Verify(compactJws);
        kid = verified.Kid ?? "";
        if (!verified.Payload.Span.SequenceEqual(canonicalManifest))
        {
            return false;
        }

        passes.RememberPass(ring, key, kid);
        return true;
    }

    /// <summary>SHA-256 over <c>length(jws) || jws as UTF-16 || canonical</c>, an unambiguous encoding of the pair.</summary>
    private static Digest KeyOf(string compactJws, ReadOnlySpan<byte> canonicalManifest)
    {
        var text = MemoryMarshal.AsBytes(compactJws.AsSpan());
        var length = sizeof(int) + text.Length + canonicalManifest.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, compactJws.Length);
            text.CopyTo(buffer.AsSpan(sizeof(int)));
            canonicalManifest.CopyTo(buffer.AsSpan(sizeof(int) + text.Length));
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, length), digest);
            return new Digest(BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A whole SHA-256 digest as a value key.</summary>
    private readonly record struct Digest(UInt128 Low, UInt128 High);
}
